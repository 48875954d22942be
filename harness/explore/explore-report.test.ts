import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { exploreCommand, type ExploreDeps } from "../cli/commands/explore.ts";
import { silentProgress } from "../progress/progress.ts";
import { writeDrillResult } from "../store/drill-files.ts";
import type { DrillResult } from "../store/drill-result.ts";
import { resolveSettings } from "../settings/settings.ts";
import { captureOutput } from "../testing/capture-output.ts";
import { exploreReport, type ExploreRunInfo } from "./explore-report.ts";
import {
  EXPLORE_FILE,
  readExploreReport,
  writeExploreReport,
  type ExploreReport,
} from "../store/explore-file.ts";
import { exploreSchedules, type ExploreOutcome } from "./explore-schedules.ts";
import { sortFaults, type Schedule, type ScheduledFault } from "../faults/schedule.ts";
import { scheduleId } from "../drills/schedules/schedule-spec.ts";
import { plantedBug, simulateStack } from "./simulated-stack.ts";
import { shrinkSchedule } from "./shrink.ts";

afterEach(() => vi.restoreAllMocks());

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "fd-explore-json-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const fault = (f: { kind: string; target: string | null }, start: number, duration: number) =>
  ({ ...f, startSeconds: start, durationSeconds: duration }) as ScheduledFault;

/** The planted two-fault bug among noise: it fails, and shrinks to the crash and the kill. */
const noisy: Schedule = {
  seed: 77,
  faults: [
    fault({ kind: "split-replication", target: null }, 0, 12),
    fault(plantedBug.crash, 14, 10),
    fault(plantedBug.kill, 18, 9),
    fault({ kind: "partition", target: "control1|node2" }, 30, 15),
  ],
};

/** The simulated stack standing in for a lab, as the drill would report (id by scheduleId). */
const simulated = async (s: Schedule): Promise<DrillResult> => {
  const run = simulateStack(s);
  return {
    drill: scheduleId(s),
    profile: "hardened",
    verdict: run.passed ? "pass" : "fail",
    figures: {},
    findings: run.passed ? [] : [`durability: ${run.lost.length} acknowledged write(s) lost`],
  };
};

const info = (over: Partial<ExploreRunInfo> = {}): ExploreRunInfo => ({
  runId: "fd-x",
  startedAt: "2026-11-25T12:00:00.000Z",
  runSeed: 5,
  profile: "hardened",
  budgetMinutes: 30,
  maxShrinkRuns: 300,
  planned: 2,
  ...over,
});

/** Explores `schedules` on the simulated stack, keeping every report written along the way. */
async function explored(
  schedules: Schedule[],
  o: { maxShrinkRuns?: number; now?: () => number; budgetMs?: number } = {},
) {
  const runDir = tmp();
  const snapshots: ExploreReport[] = [];
  const result = await exploreSchedules(schedules, {
    runSchedule: simulated,
    budgetMs: o.budgetMs ?? 60 * 60_000,
    maxShrinkRuns: o.maxShrinkRuns ?? 300,
    progress: silentProgress,
    ...(o.now ? { now: o.now } : {}),
    save: (kind, s) => path.join(runDir, `${kind}-${s.seed}.json`),
    onProgress: (sofar) => snapshots.push(exploreReport(runDir, info(), sofar)),
  });
  return {
    runDir,
    result,
    snapshots,
    report: exploreReport(runDir, info(), result, "2026-11-25T12:30:00.000Z"),
  };
}

describe("explore.json: what the exploration ran, found and shrank", () => {
  it("each schedule with its faults, verdict and drill; the failing one with its minimal schedule and every candidate", async () => {
    const passing: Schedule = { seed: 1, faults: [fault(plantedBug.crash, 0, 5)] };
    const { report } = await explored([passing, noisy]);
    expect(report).toMatchObject({
      runId: "fd-x",
      runSeed: 5,
      profile: "hardened",
      complete: true,
      planned: 2,
    });
    expect(report.replay).toBeUndefined();
    const [first, second] = report.schedules;
    expect(first).toEqual({
      number: 1,
      seed: 1,
      faults: passing.faults,
      verdict: "pass",
      findings: [],
      drill: scheduleId(passing),
      file: "schedule-1.json",
    });
    expect(second).toMatchObject({
      number: 2,
      seed: 77,
      faults: noisy.faults,
      verdict: "fail",
      drill: scheduleId(noisy),
    });
    const m = second!.minimal!;
    expect(m.faults.map((f) => `${f.kind} ${f.target}`).sort()).toEqual([
      "crash-server node1",
      "kill-service node2-db",
    ]);
    expect(m.file).toBe("minimal-77.json");
    expect(m.drill).toBe(scheduleId({ seed: 77, faults: m.faults as ScheduledFault[] }));
    // The shrinker's own list, step for step, each candidate with the drill it ran as.
    const own = await shrinkSchedule(noisy, async (s) => !simulateStack(s).passed, { maxRuns: 301 });
    expect(m.tried.map((t) => [t.step, t.faults, t.fails])).toEqual(
      own.tried.map((t) => [t.step, t.schedule.faults, t.fails]),
    );
    expect(m.tried[0]).toEqual({
      step: "input",
      faults: sortFaults(noisy.faults),
      fails: true,
      verdict: "fail",
      drill: scheduleId(noisy),
    });
    for (const t of m.tried.slice(1)) {
      expect(t.drill).toBe(scheduleId({ seed: 77, faults: t.faults as ScheduledFault[] }));
      expect(t.verdict).toBe(t.fails ? "fail" : "pass");
    }
    expect(m.runs).toBe(m.tried.length - 1);
  });

  it("is told after every lab run: a killed run leaves the shrinking done so far, steps as the shrinker names them", async () => {
    const { snapshots, report } = await explored([noisy]);
    const final = report.schedules[0]!.minimal!.tried;
    // One for the schedule's own run, one per shrink run, one at the end.
    expect(snapshots).toHaveLength(1 + report.schedules[0]!.minimal!.runs + 1);
    expect(snapshots[0]!.schedules[0]).toMatchObject({ verdict: "fail" });
    expect(snapshots[0]!.schedules[0]!.minimal).toBeUndefined();
    expect(snapshots.every((s) => !s.complete)).toBe(true);
    for (const s of snapshots.slice(1)) {
      const tried = s.schedules[0]!.minimal!.tried;
      expect(tried).toEqual(final.slice(0, tried.length));
    }
    expect(snapshots[1]!.schedules[0]!.minimal!.tried).toHaveLength(2);
  });

  it("candidates the budget left unrun are listed not run, with why", async () => {
    let clock = 0;
    const { report } = await explored([noisy], { budgetMs: 35 * 60_000, now: () => (clock += 5 * 60_000) });
    const m = report.schedules[0]!.minimal!;
    expect(report.budgetSpent).toBe(true);
    expect(m.stopped).toBe("the budget was spent");
    const unrun = m.tried.filter((t) => t.verdict === "not-run");
    expect(unrun.length).toBeGreaterThan(0);
    for (const t of unrun) expect(t).toMatchObject({ fails: false, reason: "the budget was spent" });
    expect(unrun.every((t) => t.drill === undefined)).toBe(true);
    expect(m.tried.filter((t) => t.verdict !== "not-run")).toHaveLength(m.runs + 1);
  });

  it("a --replay run names its file instead of a seed", () => {
    const r = exploreReport("/r", info({ runSeed: undefined, replay: "found/x.json", mutant: "m1" }), {
      outcomes: [],
      budgetSpent: false,
    });
    expect(r).toMatchObject({ replay: "found/x.json", mutant: "m1", complete: false, schedules: [] });
    expect("runSeed" in r).toBe(false);
  });
});

describe("readExploreReport", () => {
  it("undefined when the run was not an exploration", () => {
    expect(readExploreReport(tmp())).toBeUndefined();
  });

  it("reads back what was written", async () => {
    const { runDir, report } = await explored([noisy]);
    writeExploreReport(runDir, report);
    expect(existsSync(path.join(runDir, `${EXPLORE_FILE}.tmp`))).toBe(false);
    expect(readExploreReport(runDir)).toEqual(report);
  });

  it("keeps a fault of a kind the catalogue lacks, and drops fields it does not know", () => {
    const dir = tmp();
    const r = exploreReport(dir, info(), { outcomes: [], budgetSpent: false });
    const schedule = {
      number: 1,
      seed: 1,
      faults: [{ kind: "reboot", target: "node9", startSeconds: 0, durationSeconds: 2 }],
      verdict: "pass",
      findings: [],
      later: true,
    };
    writeFileSync(path.join(dir, EXPLORE_FILE), JSON.stringify({ ...r, schedules: [schedule], newer: 1 }));
    const read = readExploreReport(dir)!;
    expect(read.schedules[0]!.faults[0]!.kind).toBe("reboot");
    expect("newer" in read).toBe(false);
  });

  const malformed: [string, string, RegExp][] = [
    ["torn JSON", '{"runId": "x", "schedules": [', /: not JSON: /],
    [
      "not a report",
      JSON.stringify({ runId: "x", schedules: "none" }),
      /: not an explore report: startedAt: .*\(\+\d+ more\)$/,
    ],
    [
      "a bad verdict",
      JSON.stringify({
        ...exploreReport("/r", info(), { outcomes: [], budgetSpent: false }),
        schedules: [{ number: 1, seed: 1, faults: [], verdict: "maybe", findings: [] }],
      }),
      /: not an explore report: schedules\.0\.verdict: /,
    ],
  ];
  it.each(malformed)("%s: one line naming the file", (_, text, message) => {
    const dir = tmp();
    const file = path.join(dir, EXPLORE_FILE);
    writeFileSync(file, text);
    let error: Error | undefined;
    try {
      readExploreReport(dir);
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeDefined();
    expect(error!.message.startsWith(`${file}: `)).toBe(true);
    expect(error!.message).not.toContain("\n");
    expect(error!.message).toMatch(message);
  });
});

describe("firedrill explore writes explore.json, and its report leads with the Exploration", () => {
  it("on the simulated stack: the run's seed, profile and schedules, the minimal one, the section in index.html", async () => {
    const reports = tmp();
    const env = { FIREDRILL_REPORTS_DIR: reports, FIREDRILL_PLAIN_PROGRESS: "1", FIREDRILL_PROVIDER: "" };
    const file = path.join(tmp(), "noisy.json");
    writeFileSync(file, JSON.stringify(noisy));
    // As a real run does: each schedule leaves its drill's result in the run folder.
    const runSchedule: NonNullable<ExploreDeps["runSchedule"]> = async (s, r) => {
      const result = { ...(await simulated(s)), profile: r.profile };
      writeDrillResult(r.run.dir, result);
      return result;
    };
    const { out } = captureOutput();
    const code = await exploreCommand(
      { quiet: true, replay: file, json: true },
      { settings: resolveSettings(env), progress: silentProgress, env },
      { runSchedule, prepare: async () => undefined },
    );
    expect(code).toBe(1);
    expect(out.join("")).toContain('"verdict":"fail"');
    const runDir = path.join(reports, "latest");
    const report = readExploreReport(runDir)!;
    expect(report).toMatchObject({
      replay: file,
      profile: "hardened",
      planned: 1,
      complete: true,
      budgetSpent: false,
    });
    expect(report.finishedAt).toBeDefined();
    const m = report.schedules[0]!.minimal!;
    expect(m.faults).toHaveLength(2);
    expect(m.tried[0]!.step).toBe("input");
    const page = readFileSync(path.join(runDir, "index.html"), "utf8");
    expect(page.indexOf('<section id="explore">')).toBeLessThan(page.indexOf("<h2>Drills</h2>"));
    expect(page).toContain(`href="#${scheduleId(noisy)}-hardened"`);
    expect(page).toContain(`id="${scheduleId(noisy)}-hardened"`);
    expect(page).toContain('<a href="minimal-77.json">minimal-77.json</a>');
    expect(readFileSync(path.join(runDir, "summary.md"), "utf8").startsWith("## Exploration")).toBe(true);
  });
});

// Type-level: the outcome a run returns is what the report is built from.
void ((o: ExploreOutcome) => exploreReport("/r", info(), o));
