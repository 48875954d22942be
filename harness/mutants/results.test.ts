import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ProfileName } from "../config/profiles.ts";
import type { DrillSpec } from "../drills/spec.ts";
import { drillSettings } from "../drills/context.ts";
import { openRun } from "../store/run-store.ts";
import type { RunDrillOptions } from "../drills/run-drill.ts";
import { silentProgress } from "../progress/progress.ts";
import { writeSummary } from "../store/summary.ts";
import type { DrillResult } from "../store/drill-result.ts";
import { resolveSettings } from "../settings/settings.ts";
import type { Mutant } from "./mutant.ts";
import { judgeDrillRun, judgeMutant, mutantsReport } from "./results.ts";
import { formatScore, readMutantsReport, type MutantDrillRun } from "../store/mutants-file.ts";
import { MutantsInterruptedError, runMutants } from "./run-mutants.ts";

const mutant = (id: string, drills: Mutant["drills"], profile: ProfileName = "hardened"): Mutant => ({
  id,
  title: `planted ${id}`,
  layer: "haproxy",
  profile,
  why: "A planted mistake.",
  mutation: () => ({ name: id }),
  drills,
});

/** A drill's result whose findings are unmet expectations `<id>: <text>`, as a drill words them. */
const drillResult = (verdict: DrillResult["verdict"], findings: string[] = [], reason?: string) => {
  const expectations = findings.flatMap((f) => {
    const m = /^([a-z0-9:*-]+): (.*)$/.exec(f);
    return m ? [{ id: m[1]!, description: m[2]!, met: false }] : [];
  });
  return {
    verdict,
    findings: expectations.length ? expectations.map((e) => `expected: ${e.description}`) : findings,
    expectations,
    ...(reason ? { reason } : {}),
  };
};

describe("judging one mutant", () => {
  const m = mutant("m", [{ drill: "crash-node1", breaks: ["failover"] }]);
  const run = (verdict: DrillResult["verdict"], findings: string[] = [], reason?: string): MutantDrillRun =>
    judgeDrillRun(m.drills[0]!, drillResult(verdict, findings, reason), "crash-node1/hardened+m", 100.4);

  it("killed when the drill breaks an expectation the mutant names, which is quoted", () => {
    const r = judgeMutant(m, [run("fail", ["alerts: alerts", "failover: outage ≤ 2 s"])]);
    expect(r).toMatchObject({
      status: "killed",
      killedBy: "crash-node1: expected: outage ≤ 2 s",
      seconds: 100,
    });
    expect(r.unexpectedFinding).toBeUndefined();
    expect(r.drills[0]!.expected).toBe("failover");
  });

  it("an expectation of the same words but another id is not the one named: killed, flagged", () => {
    const r = judgeMutant(m, [run("fail", ["no-stale-read: outage ≤ 2 s"])]);
    expect(r).toMatchObject({ status: "killed", unexpectedFinding: true });
  });

  it("killed for another reason is still killed, flagged, with the drill's first finding", () => {
    const r = judgeMutant(m, [run("fail", ["drill crashed: lab did not come up"])]);
    expect(r).toMatchObject({
      status: "killed",
      unexpectedFinding: true,
      killedBy: "crash-node1: drill crashed: lab did not come up",
    });
  });

  it("survived when the drill passed; a passed drill's findings never count as a kill", () => {
    expect(judgeMutant(m, [run("pass", ["availability: outage ≤ 2 s note"])]).status).toBe("survived");
  });

  it("skipped (never killed) when no drill ran to a verdict, with the reason", () => {
    const r = judgeMutant(m, [run("skipped", [], "k6 not found on PATH")]);
    expect(r).toMatchObject({ status: "skipped", reason: "crash-node1: k6 not found on PATH" });
  });

  it("with several drills: any expected kill wins, then any failure, then a pass", () => {
    const two = mutant("two", [
      { drill: "crash-node1", breaks: ["a"] },
      { drill: "kill-node1-db", breaks: ["b"] },
    ]);
    const r1 = judgeDrillRun(two.drills[0]!, drillResult("fail", ["x"]), "d1", 1);
    const r2 = judgeDrillRun(two.drills[1]!, drillResult("fail", ["b: B!"]), "d2", 2);
    expect(judgeMutant(two, [r1, r2])).toMatchObject({
      status: "killed",
      killedBy: "kill-node1-db: expected: B!",
      seconds: 3,
    });
    const pass = judgeDrillRun(two.drills[1]!, drillResult("pass"), "d2", 2);
    const skip = judgeDrillRun(two.drills[0]!, drillResult("skipped", [], "why"), "d1", 1);
    expect(judgeMutant(two, [skip, pass]).status).toBe("survived");
  });
});

describe("the score", () => {
  const judged = (status: "killed" | "survived" | "skipped") =>
    judgeMutant(mutant(status, [{ drill: "crash-node1", breaks: ["f"] }]), [
      judgeDrillRun(
        { drill: "crash-node1", breaks: ["f"] },
        drillResult(status === "killed" ? "fail" : status === "survived" ? "pass" : "skipped", ["f: F"], "r"),
        "d",
        1,
      ),
    ]);

  it("is killed / (killed + survived); skipped counts in neither", () => {
    const r = mutantsReport("fd-1", "t0", 5, [
      judged("killed"),
      judged("killed"),
      judged("killed"),
      judged("survived"),
      judged("skipped"),
    ]);
    expect(r).toMatchObject({
      killed: 3,
      survived: 1,
      skipped: 1,
      score: 0.75,
      complete: false,
      selected: 5,
    });
    expect(formatScore(r)).toBe("75 % (3 of 4 killed)");
  });

  it("is null when nothing was killed or survived", () => {
    const r = mutantsReport("fd-1", "t0", 1, [judged("skipped")], "t1");
    expect(r.score).toBeNull();
    expect(r.complete).toBe(true);
    expect(formatScore(r)).toMatch(/^no score/);
  });
});

describe("running mutants (the drill planted)", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs each drill with its mutation into <drill>/<profile>+<mutant>/, labels the results, writes mutants.json", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fd-mutants-"));
    const calls: { drill: string; profile: string; mutation: string | undefined }[] = [];
    // Stands in for runDrill: writes where runDrill writes, returns what it returns.
    const fake = (def: DrillSpec, profile: ProfileName, o: RunDrillOptions) => {
      calls.push({ drill: def.id, profile, mutation: o.mutant?.mutation.name });
      const label = { drill: def.id, profile: o.folder.label, mutant: o.mutant?.id };
      const result: DrillResult =
        o.mutant?.mutation.name === "a"
          ? {
              ...label,
              verdict: "fail",
              figures: {},
              findings: ["expected: outage ≤ 2 s — 9 s"],
              expectations: [{ id: "failover", description: "outage ≤ 2 s", met: false, detail: "9 s" }],
            }
          : { ...label, verdict: "pass", figures: {}, findings: [] };
      writeFileSync(path.join(o.folder.dir, "history.jsonl"), "");
      o.folder.writeResult(result);
      return Promise.resolve(result);
    };
    const a = mutant("a", [{ drill: "crash-node1", breaks: ["failover"] }]);
    const b = mutant("b", [{ drill: "crash-node1", breaks: ["alert:*#fires"] }]);
    const report = await runMutants([a, b], {
      run: openRun({ reportsDir: path.dirname(dir), runId: path.basename(dir) }),
      settings: drillSettings(resolveSettings(), {}),
      progress: silentProgress,
      mutations: new Map([
        ["a", { name: "a" }],
        ["b", { name: "b" }],
      ]),
      drill: fake,
    });
    expect(calls).toEqual([
      { drill: "crash-node1", profile: "hardened", mutation: "a" },
      { drill: "crash-node1", profile: "hardened", mutation: "b" },
    ]);
    expect(report).toMatchObject({ killed: 1, survived: 1, score: 0.5, complete: true });
    expect(readdirSync(path.join(dir, "crash-node1")).sort()).toEqual(["hardened+a", "hardened+b"]);
    const result = JSON.parse(
      readFileSync(path.join(dir, "crash-node1", "hardened+a", "result.json"), "utf8"),
    );
    expect(result).toMatchObject({ profile: "hardened+a", mutant: "a", verdict: "fail" });
    expect(existsSync(path.join(dir, "crash-node1", "hardened+a", "history.jsonl"))).toBe(true);
    const saved = readMutantsReport(dir)!;
    expect(saved.mutants.map((m) => [m.id, m.status, m.killedBy])).toEqual([
      ["a", "killed", "crash-node1: expected: outage ≤ 2 s — 9 s"],
      ["b", "survived", undefined],
    ]);
    expect(saved.mutants[0]!.drills[0]).toMatchObject({ dir: "crash-node1/hardened+a", verdict: "fail" });
    // The run folder reads back as usual: one row per mutant's drill.
    expect(writeSummary(dir).map((r) => r.profile)).toEqual(["hardened+a", "hardened+b"]);
  });

  it("Ctrl-C during a drill records no kill: that drill is marked interrupted, mutants.json keeps the ones before", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fd-mutants-"));
    const handlers: (() => Promise<unknown>)[] = [];
    let calls = 0;
    // The second drill is interrupted: the lab vanishes under it and it fails, as runDrill does then.
    const fake = async (def: DrillSpec, profile: ProfileName, o: RunDrillOptions) => {
      calls++;
      const result: DrillResult = {
        drill: def.id,
        profile: o.folder.label,
        verdict: "fail",
        figures: {},
        findings: ["drill crashed: connect ECONNREFUSED 127.0.0.1:40000"],
      };
      o.folder.writeResult(result);
      // Every cleanup runs on the signal.
      if (calls === 2) await Promise.all(handlers.map((h) => h()));
      return result;
    };
    const run = runMutants(
      [
        mutant("first", [{ drill: "crash-node1", breaks: ["failover"] }]),
        mutant("second", [{ drill: "crash-node1", breaks: ["failover"] }]),
        mutant("third", [{ drill: "crash-node1", breaks: ["failover"] }]),
      ],
      {
        run: openRun({ reportsDir: path.dirname(dir), runId: path.basename(dir) }),
        settings: drillSettings(resolveSettings(), {}),
        progress: silentProgress,
        mutations: new Map(["first", "second", "third"].map((id) => [id, { name: id }])),
        drill: fake,
        onInterrupt: (fn) => (handlers.push(fn), () => undefined),
      },
    );
    await expect(run).rejects.toBeInstanceOf(MutantsInterruptedError);
    await expect(run).rejects.toMatchObject({
      exitCode: 130,
      message: expect.stringMatching(/^interrupted after 1 of 3 mutants/),
    });
    expect(calls).toBe(2);
    const saved = readMutantsReport(dir)!;
    expect(saved).toMatchObject({ complete: false, selected: 3, killed: 1 });
    expect(saved.mutants.map((m) => m.id)).toEqual(["first"]);
    const second = JSON.parse(
      readFileSync(path.join(dir, "crash-node1", "hardened+second", "result.json"), "utf8"),
    );
    expect(second).toMatchObject({ verdict: "interrupted", findings: [], mutant: "second" });
  });
});
