import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readReplay } from "../../explore/explore-options.ts";
import { generateSchedules } from "../../explore/generate.ts";
import { describeSchedule, type Schedule, type ScheduledFault } from "../../faults/schedule.ts";
import { scheduleId } from "../../drills/schedules/schedule-spec.ts";
import { plantedBug, simulateStack } from "../../explore/simulated-stack.ts";
import { silentProgress } from "../../progress/progress.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { captureOutput } from "../../testing/capture-output.ts";
import { main } from "../main.ts";
import { shownFindings } from "../shown-findings.ts";
import { exploreCommand, type ExploreDeps } from "./explore.ts";

afterEach(() => vi.restoreAllMocks());

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "fd-explore-"));

/** The simulated stack (explore/simulated-stack.ts) standing in for a lab: a lost write fails the schedule. */
const simulated: NonNullable<ExploreDeps["runSchedule"]> = async (s, r) => {
  const run = simulateStack(s);
  return {
    drill: scheduleId(s),
    profile: r.profile,
    verdict: run.passed ? "pass" : "fail",
    figures: { acknowledgedWritesLost: run.lost.length },
    findings: run.passed ? [] : [`durability: ${run.lost.length} acknowledged write(s) lost`],
  };
};

/** Runs the command in-process with the simulated stack, as the CLI would with `args`. */
async function explore(args: Record<string, unknown>, deps: ExploreDeps = {}) {
  const reports = tmp();
  const env = { FIREDRILL_REPORTS_DIR: reports, FIREDRILL_PLAIN_PROGRESS: "1", FIREDRILL_PROVIDER: "" };
  const { out, err } = captureOutput();
  const code = await exploreCommand(
    { quiet: true, ...args },
    { settings: resolveSettings(env), progress: silentProgress, env },
    { runSchedule: simulated, prepare: async () => undefined, ...deps },
  );
  return { code, out: out.join(""), err: err.join(""), runDir: path.join(reports, "latest") };
}

const fault = (f: { kind: string; target: string | null }, start: number, duration: number) =>
  ({ ...f, startSeconds: start, durationSeconds: duration }) as ScheduledFault;

/** A run seed whose generated schedules (default limits) hit the planted bug among the first three. */
function failingRunSeed(): number {
  for (let seed = 0; seed < 100_000; seed++)
    if (generateSchedules(seed, 3).some((s) => !simulateStack(s).passed)) return seed;
  throw new Error("no run seed reaches the planted bug");
}

describe("firedrill explore --plan-only (no engine needed)", () => {
  it("prints the same schedules for the same seed, other ones for another", async () => {
    const { out } = captureOutput();
    expect(await main(["explore", "--plan-only", "--seed", "42", "--quiet"])).toBe(0);
    expect(await main(["explore", "--plan-only", "--seed", "42", "--quiet"])).toBe(0);
    expect(await main(["explore", "--plan-only", "--seed", "43", "--quiet"])).toBe(0);
    const [a, b, c] = out;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    const expected = generateSchedules(42, 3).flatMap((s, i) => [
      `schedule ${i + 1}, seed ${s.seed}:`,
      ...describeSchedule(s).map((l) => `  ${l}`),
    ]);
    expect(a).toBe(["explore --seed 42 (hardened): 3 schedule(s)", ...expected, ""].join("\n"));
  });

  it("--json: one object per schedule with the faults the text shows", async () => {
    const { out } = captureOutput();
    const args = [
      "explore",
      "--plan-only",
      "--seed",
      "7",
      "--schedules",
      "5",
      "--profile",
      "seed",
      "--quiet",
    ];
    expect(await main(args)).toBe(0);
    expect(await main([...args, "--json"])).toBe(0);
    const [text, json] = out;
    const objects = json!
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects).toHaveLength(5);
    const fromJson = objects.flatMap((o, i) => [
      `schedule ${i + 1}, seed ${o.seed as number}:`,
      ...describeSchedule({ seed: o.seed as number, faults: o.faults as ScheduledFault[] }).map(
        (l) => `  ${l}`,
      ),
    ]);
    expect(text!.split("\n").slice(1, -1)).toEqual(fromJson);
    expect(objects[0]).toMatchObject({
      schedule: 1,
      runSeed: 7,
      profile: "seed",
      verdict: "not-run",
      reason: "--plan-only",
      findings: [],
    });
  });

  it("without --seed, draws one and prints it so the run can be repeated", async () => {
    const { out } = captureOutput();
    expect(await main(["explore", "--plan-only", "--schedules", "1", "--quiet"])).toBe(0);
    const seed = /^explore --seed (\d+) \(hardened\)/.exec(out[0]!)?.[1];
    expect(seed).toBeDefined();
    expect(await main(["explore", "--plan-only", "--schedules", "1", "--seed", seed!, "--quiet"])).toBe(0);
    expect(out[1]).toBe(out[0]);
  });

  it("--replay prints the file's schedule", async () => {
    const file = path.join(tmp(), "s.json");
    const s: Schedule = { seed: 5, faults: [fault(plantedBug.crash, 3, 4)] };
    writeFileSync(file, JSON.stringify(s));
    const { out } = captureOutput();
    expect(await main(["explore", "--plan-only", "--replay", file, "--quiet"])).toBe(0);
    expect(out.join("")).toBe(
      `explore --replay ${file} (hardened): 1 schedule(s)\nschedule 1, seed 5:\n  crash node1 at 3 s for 4 s\n`,
    );
  });
});

describe("firedrill explore: usage errors are one line and exit 2", () => {
  const cases: [string[], string][] = [
    [["--profile", "hardend"], 'unknown profile "hardend"; use one of: seed, hardened'],
    [["--seed", "1.5"], '--seed must be a whole number from 0 to 4294967295, not "1.5"'],
    [["--seed", "abc"], '--seed must be a whole number from 0 to 4294967295, not "abc"'],
    [["--seed", "4294967296"], '--seed must be a whole number from 0 to 4294967295, not "4294967296"'],
    [["--schedules", "0"], '--schedules must be a whole number from 1 to 1000, not "0"'],
    [["--budget", "0"], '--budget must be a positive number of minutes, not "0"'],
    [["--budget", "soon"], '--budget must be a positive number of minutes, not "soon"'],
    [["--max-shrink-runs=-1"], '--max-shrink-runs must be a whole number from 0 to 1000, not "-1"'],
    [
      ["--provider", "docker"],
      '--provider: unknown provider "docker"; use one of: testcontainers, machines, vagrant, existing',
    ],
    [
      ["--replay", "x.json", "--seed", "1"],
      "--replay runs the one schedule of its file: --seed and --schedules do not apply",
    ],
  ];
  it.each(cases)("%j", async (args, message) => {
    const { out, err } = captureOutput();
    expect(await main(["explore", "--plan-only", "--json", ...args])).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toBe(`firedrill explore: ${message}\n`);
  });

  it("a stray word or an unknown option too", async () => {
    const { err } = captureOutput();
    expect(await main(["explore", "now"])).toBe(2);
    expect(await main(["explore", "--seeds", "3"])).toBe(2);
    const lines = err.join("").trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^firedrill explore: Unexpected argument 'now'.*explore --help`$/);
    expect(lines[1]).toMatch(/^firedrill explore: Unknown option '--seeds'.*explore --help`$/);
  });
});

describe("firedrill explore --replay with a bad file", () => {
  const dir = tmp();
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const cases: [string, string | undefined, RegExp][] = [
    ["missing.json", undefined, /^--replay .*missing\.json: cannot be read: ENOENT/],
    ["torn.json", '{"seed": 1, "faults": [', /^--replay .*torn\.json: not JSON: /],
    [
      "kind.json",
      JSON.stringify({
        seed: 1,
        faults: [{ kind: "reboot", target: "node1", startSeconds: 0, durationSeconds: 2 }],
      }),
      /^--replay .*kind\.json: not a fault schedule: .*unknown fault kind "reboot"/,
    ],
    [
      "target.json",
      JSON.stringify({ seed: 1, faults: [fault({ kind: "crash-server", target: "node3" }, 0, 2)] }),
      /^--replay .*target\.json: not a fault schedule: .*crash-server has no target "node3"/,
    ],
    [
      "limits.json",
      JSON.stringify({ seed: 1, faults: [fault(plantedBug.crash, 50, 20)] }),
      /^--replay .*limits\.json: the schedule breaks the explorer's limits: fault 0 \(crash node1 at 50 s for 20 s\) ends after horizonSeconds 60$/,
    ],
  ];
  it.each(cases)("%s", async (name, text, message) => {
    const file = text === undefined ? path.join(dir, name) : write(name, text);
    const { err } = captureOutput();
    expect(await main(["explore", "--replay", file, "--quiet"])).toBe(2);
    const line = err.join("");
    expect(line.split("\n")).toHaveLength(2);
    expect(line.replace(/^firedrill explore: /, "").trimEnd()).toMatch(message);
  });
});

describe("firedrill explore on the simulated stack (the command's own run and shrink)", () => {
  it("exit 0 when every schedule passes, each saved as replayable JSON", async () => {
    const passing = [...Array(1000).keys()].find((s) =>
      generateSchedules(s, 3).every((x) => simulateStack(x).passed),
    )!;
    const r = await explore({ seed: String(passing) });
    expect(r.code).toBe(0);
    const schedules = generateSchedules(passing, 3);
    for (const s of schedules) expect(readReplay(path.join(r.runDir, `schedule-${s.seed}.json`))).toEqual(s);
    expect(r.out).toMatch(/^explore --seed \d+ \(hardened\): 3 schedule\(s\)\nschedule 1, seed \d+: pass\n/);
    expect(r.out).toMatch(/\nreport: .*summary\.json\n$/);
  });

  it("the planted two-fault bug, replayed among other faults, is shrunk to exactly those two", async () => {
    const input: Schedule = {
      seed: 77,
      faults: [
        fault({ kind: "split-replication", target: null }, 0, 12),
        fault(plantedBug.crash, 14, 10),
        fault(plantedBug.kill, 18, 9),
        fault({ kind: "partition", target: "control1|node2" }, 30, 15),
      ],
    };
    const file = path.join(tmp(), "input.json");
    writeFileSync(file, JSON.stringify(input));
    const r = await explore({ replay: file, "max-shrink-runs": "300", json: true });
    expect(r.code).toBe(1);
    const [o] = r.out
      .trimEnd()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            minimal: { faults: ScheduledFault[]; runs: number; file: string; stopped?: string };
          },
      );
    expect(o).toMatchObject({ schedule: 1, replay: file, seed: 77, faults: input.faults, verdict: "fail" });
    const minimal = o!.minimal;
    expect(minimal.stopped).toBeUndefined();
    expect(minimal.faults.map((f) => `${f.kind} ${f.target}`).sort()).toEqual([
      "crash-server node1",
      "kill-service node2-db",
    ]);
    expect(minimal.runs).toBeGreaterThan(0);
    // The saved minimal schedule is the one printed, replayable, and still fails.
    const saved = readReplay(path.join(r.runDir, "minimal-77.json"));
    expect(saved.faults).toEqual(minimal.faults);
    expect(simulateStack(saved).passed).toBe(false);
    expect(existsSync(path.join(r.runDir, "schedule-77.json"))).toBe(true);
  });

  it("generated schedules: runs until the first failure, shrinks it, and does not run the rest", async () => {
    const seed = failingRunSeed();
    const schedules = generateSchedules(seed, 3);
    const first = schedules.findIndex((s) => !simulateStack(s).passed);
    const r = await explore({ seed: String(seed), "max-shrink-runs": "300" });
    expect(r.code).toBe(1);
    const lines = r.out.split("\n");
    const failing = schedules[first]!;
    expect(lines).toContain(`schedule ${first + 1}, seed ${failing.seed}: fail`);
    expect(r.out).toMatch(
      / {2}minimal, after \d+ shrink run\(s\):\n {4}(crash node1|kill node2-db) at \d+ s for \d+ s\n {4}(crash node1|kill node2-db) at \d+ s for \d+ s\n {2}replay: firedrill explore --profile hardened --replay .*minimal-\d+\.json\n/,
    );
    for (const [i, s] of schedules.entries())
      if (i > first)
        expect(lines).toContain(
          `schedule ${i + 1}, seed ${s.seed}: not run (the explorer stops at the first failing schedule)`,
        );
  });

  it("the budget stops runs and shrinking, and says so", async () => {
    let clock = 0;
    const tenMinutes: NonNullable<ExploreDeps["runSchedule"]> = async (s, run) => {
      clock += 10 * 60_000;
      return simulated(s, run);
    };
    const seed = failingRunSeed();
    const r = await explore(
      { seed: String(seed), schedules: "3", budget: "25" },
      { runSchedule: tenMinutes, now: () => clock },
    );
    expect(r.code).toBe(1);
    // Two runs fit in 25 min: the longest run so far (10 min) decides whether a third can start.
    expect(clock).toBe(20 * 60_000);
    expect(r.out).toContain("the budget of 25 min was spent before the exploration was done");
    expect(r.out).toMatch(/not run \(the budget was spent\)|\(stopped: the budget was spent\)/);
  });

  it("--max-shrink-runs bounds the lab runs of the shrinking", async () => {
    const calls: Schedule[] = [];
    const counting: NonNullable<ExploreDeps["runSchedule"]> = async (s, run) => (
      calls.push(s),
      simulated(s, run)
    );
    const file = path.join(tmp(), "pair.json");
    writeFileSync(
      file,
      JSON.stringify({ seed: 3, faults: [fault(plantedBug.crash, 0, 10), fault(plantedBug.kill, 2, 10)] }),
    );
    const r = await explore({ replay: file, "max-shrink-runs": "2", json: true }, { runSchedule: counting });
    expect(r.code).toBe(1);
    expect(calls).toHaveLength(3); // the schedule, then two shrink runs
    const o = JSON.parse(r.out) as { minimal: { runs: number; stopped: string } };
    expect(o.minimal).toMatchObject({ runs: 2, stopped: "--max-shrink-runs 2 reached" });
  });

  it("a skipped schedule (a fault the lab cannot inject) is not a pass: exit 1, not shrunk", async () => {
    const skipping: NonNullable<ExploreDeps["runSchedule"]> = async (s, run) => ({
      ...(await simulated(s, run)),
      verdict: "skipped",
      reason: "no netadmin image",
    });
    const r = await explore({ seed: "1", schedules: "2", json: true }, { runSchedule: skipping });
    expect(r.code).toBe(1);
    const objects = r.out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { verdict: string; minimal?: unknown });
    expect(objects.map((o) => o.verdict)).toEqual(["skipped", "skipped"]);
    expect(objects.every((o) => o.minimal === undefined)).toBe(true);
    expect(JSON.parse(readFileSync(path.join(r.runDir, "summary.json"), "utf8"))).toEqual([]);
  });
});

describe("what a person reads of a failed schedule", () => {
  it("the unmet expectations first, at most 8 findings, each at most 400 characters, and how many more", () => {
    const findings = [
      ...Array.from({ length: 20 }, (_, i) => `durability: item ${i} lost`),
      "expected: no acknowledged write lost — 20 lost",
      `stale-reads: ${"x".repeat(500)}`,
    ];
    const shown = shownFindings(findings);
    expect(shown[0]).toBe("expected: no acknowledged write lost — 20 lost");
    expect(shown).toHaveLength(9);
    expect(shown[8]).toBe("… and 14 more finding(s) in the report");
    expect(shownFindings(["a", "b"])).toEqual(["a", "b"]);
    expect(shownFindings([`y${"x".repeat(500)}`])[0]).toHaveLength(401);
  });
});
