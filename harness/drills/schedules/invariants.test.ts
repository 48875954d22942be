import { describe, expect, it } from "vitest";
import { runCheckers } from "../../checkers/run-checkers.ts";
import type { CheckResult } from "../../store/check-result.ts";
import type { HistoryEvent } from "../../history/history.ts";
import { hiddenByOthers, scheduleExpectations, unexplainedChecks } from "./invariants.ts";
import type { FaultSpan } from "../../faults/run-schedule.ts";

function span(kind: string, target: string | null, from: number, to: number): FaultSpan {
  const name = kind === "split-replication" ? "split replication" : `${kind} ${target}`;
  return {
    fault: { kind, target },
    name,
    injectAt: from * 1000,
    injectedAt: from * 1000 + 100,
    healAt: to * 1000,
    healedAt: to * 1000 + 500,
  };
}

const ok = (checker: string, figures: CheckResult["figures"] = {}): CheckResult => ({
  checker,
  valid: true,
  findings: [],
  figures,
});

/** Every checker of an explored schedule, all holding. */
function holding(): Record<string, CheckResult> {
  const names = [
    "steady-state-before",
    "fault-effect",
    "durability",
    "stale-reads",
    "convergence",
    "replication-health",
    "steady-state-after",
  ];
  return Object.fromEntries(names.map((n) => [n, ok(n)]));
}

const unmet = (e: ReturnType<typeof scheduleExpectations>) =>
  e.filter((x) => !x.met).map((x) => `${x.description} — ${x.detail ?? ""}`);

describe("unexplainedChecks", () => {
  it("one windowed availability check per stretch of the load no fault explains", () => {
    const checks = unexplainedChecks([{ from: 4_000, until: 7_000 }], { from: 1_000, until: 20_000 });
    expect(checks).toEqual([
      {
        id: "availability",
        name: "availability-unexplained-1",
        options: { window: { from: 1_000, until: 4_000 }, maxErrorWindowSeconds: 0, notFoundIsAnswer: true },
      },
      {
        id: "availability",
        name: "availability-unexplained-2",
        options: { window: { from: 7_000, until: 20_000 }, maxErrorWindowSeconds: 0, notFoundIsAnswer: true },
      },
    ]);
  });

  it("counts the failed requests begun in its stretch only, so the report can re-run it", () => {
    const op = (process: number, time: number, type: "ok" | "fail"): HistoryEvent[] => [
      { type: "invoke", process, op: "create-list", value: { title: "t" }, time },
      type === "ok"
        ? {
            type,
            process,
            op: "create-list",
            value: { title: "t", id: 1 },
            time: time + 5,
            node: "node1",
            latencyMs: 5,
          }
        : {
            type,
            process,
            op: "create-list",
            value: { title: "t" },
            time: time + 5,
            latencyMs: 5,
            error: "503",
          },
    ];
    const history = [
      ...op(1, 500, "ok"),
      ...op(2, 5_000, "fail"),
      ...op(3, 8_000, "fail"),
      ...op(4, 9_000, "ok"),
    ];
    const checks = unexplainedChecks([{ from: 4_000, until: 7_000 }], { from: 0, until: 10_000 });
    const verdicts = runCheckers(checks, { history });
    expect(verdicts.map((v) => [v.checker, v.valid, v.figures.requestsFailed])).toEqual([
      ["availability-unexplained-1", true, 0],
      ["availability-unexplained-2", false, 1],
    ]);
  });
});

describe("hiddenByOthers", () => {
  it("a link fault inside a fault on one of its ends may not have been seen", () => {
    const crash = span("crash-server", "node1", 10, 30);
    const cut = span("partition", "node1|node2", 12, 28);
    expect(hiddenByOthers(cut, [crash, cut])).toBe(true);
    const split = span("split-replication", null, 12, 20);
    expect(hiddenByOthers(split, [span("kill-service", "node2-db", 11, 21), split])).toBe(true);
  });

  it("not when it outlasts them by more than a look, nor when they act elsewhere, nor for a crash", () => {
    const crash = span("crash-server", "node1", 10, 30);
    const longer = span("partition", "node1|node2", 12, 40);
    expect(hiddenByOthers(longer, [crash, longer])).toBe(false);
    const elsewhere = span("partition", "control1|control2", 12, 28);
    expect(hiddenByOthers(elsewhere, [crash, elsewhere])).toBe(false);
    expect(hiddenByOthers(crash, [crash, span("partition", "node1|node2", 5, 40)])).toBe(false);
  });
});

describe("scheduleExpectations", () => {
  const spans = [span("crash-server", "node1", 10, 20)];
  const evidence = { spans, quietAt: 50_000, unexplained: unexplainedChecks([], { from: 0, until: 50_000 }) };

  it("every invariant met when every checker holds, in both profiles", () => {
    const v = { ...holding(), "availability-unexplained-1": ok("a", { requestsFailed: 0 }) };
    const hardened = scheduleExpectations("hardened", v, evidence);
    expect(hardened.map((e) => e.description)).toEqual([
      "steady state before the faults",
      "every fault had its observable effect",
      "no acknowledged write lost",
      "no stale read once quiet (the read-back of every acknowledged item), no wrong read",
      "no failed request outside the outage windows the active faults explain",
      "replicas caught up ≤ 15 s after the last heal and equal after the last write",
      "replication healthy after heal",
      "steady state restored after the heals",
    ]);
    expect(unmet(hardened)).toEqual([]);
    expect(unmet(scheduleExpectations("seed", v, { ...evidence, unexplained: [] }))).toEqual([]);
  });

  it("a failed request no fault explains fails the hardened schedule, saying when", () => {
    const v = {
      ...holding(),
      "availability-unexplained-1": { ...ok("a", { requestsFailed: 3 }), valid: false as const },
    };
    expect(unmet(scheduleExpectations("hardened", v, evidence))).toEqual([
      "no failed request outside the outage windows the active faults explain — 3 failed at 0.0–50.0 s",
    ]);
  });

  it("stale reads count only once quiet; a wrong read always", () => {
    const stale = (readAt: number) => ({
      kind: "stale-read",
      message: `stale at ${readAt}`,
      evidence: { itemId: 1, ackedAt: 0, readAt, node: "node2" },
    });
    const during = {
      ...holding(),
      "stale-reads": { ...ok("stale-reads"), valid: false as const, findings: [stale(15_000)] },
    };
    const e = scheduleExpectations("seed", during, evidence);
    expect(unmet(e)).toEqual([]);
    expect(e[3]!.detail).toBe("1 stale read(s) during the faults (measured, not asserted)");
    const quiet = {
      ...holding(),
      "stale-reads": { ...ok("stale-reads"), valid: false as const, findings: [stale(51_000)] },
    };
    expect(unmet(scheduleExpectations("seed", quiet, evidence))).toEqual([
      "no stale read once quiet (the read-back of every acknowledged item), no wrong read — stale at 51000",
    ]);
  });

  it("the seed may catch up late, but not diverge", () => {
    const slow = { kind: "slow-convergence", message: "caught up late" };
    const late = {
      ...holding(),
      convergence: { ...ok("convergence"), valid: false as const, findings: [slow] },
    };
    expect(unmet(scheduleExpectations("seed", late, evidence))).toEqual([]);
    expect(unmet(scheduleExpectations("hardened", late, { ...evidence, unexplained: [] }))).toEqual([
      "replicas caught up ≤ 15 s after the last heal and equal after the last write — caught up late",
    ]);
    const diverged = { kind: "diverged", message: "node1 and node2 differ" };
    const bad = {
      ...holding(),
      convergence: { ...ok("convergence"), valid: false as const, findings: [diverged] },
    };
    expect(unmet(scheduleExpectations("seed", bad, evidence))).toEqual([
      "the replicas end equal (a late catch-up, with the operator's repair, allowed) — node1 and node2 differ",
    ]);
  });

  it("an effect not seen fails, unless faults on the link's ends hid it", () => {
    const crash = span("crash-server", "node1", 10, 30);
    const cut = span("partition", "node1|node2", 12, 28);
    const noEffect = (s: FaultSpan) => ({
      kind: "no-effect",
      message: `fault had no observable effect: ${s.name}`,
      evidence: { fault: s.name, injectedAt: s.injectAt + 10 },
    });
    const hidden = {
      ...holding(),
      "fault-effect": { ...ok("fault-effect"), valid: false as const, findings: [noEffect(cut)] },
    };
    const e = scheduleExpectations("seed", hidden, { ...evidence, spans: [crash, cut] });
    expect(unmet(e)).toEqual([]);
    expect(e[1]!.detail).toBe("not seen: partition node1|node2 (hidden by faults on its ends)");
    const alone = scheduleExpectations("seed", hidden, { ...evidence, spans: [cut] });
    expect(unmet(alone)).toEqual([
      "every fault had its observable effect — fault had no observable effect: partition node1|node2",
    ]);
  });

  it("a schedule without faults has nothing to see", () => {
    const v = { ...holding(), "fault-effect": { ...ok("fault-effect"), valid: "unknown" as const } };
    expect(unmet(scheduleExpectations("seed", v, { ...evidence, spans: [] }))).toEqual([]);
  });
});
