import { checkAvailability, type AvailabilityBounds } from "../checkers/availability.ts";
import { checkConvergence } from "../checkers/convergence.ts";
import { checkDurability } from "../checkers/durability.ts";
import { checkReplicationHealth } from "../checkers/replication-health.ts";
import { checkStaleReads } from "../checkers/stale-reads.ts";
import { safely, type Verdict } from "../checkers/verdict.ts";
import { slaveState } from "../db/replication.ts";
import type { Fault } from "../faults/fault.ts";
import { withFault } from "../faults/with-fault.ts";
import { observeConvergence, snapshot } from "../probes/db-state.ts";
import { runWorkload, type WorkloadResult } from "../workload/workload.ts";
import { expectation, type DrillContext, type DrillOutcome } from "./drill.ts";
import { wasFiring } from "../alerts/alert-expectations.ts";
import type { FrontendResponses } from "../probes/haproxy-metrics.ts";
import type { AlertMatcher } from "../alerts/alert-key.ts";
import { assertAlerts, type AlertExpectation, type AlertOutcome } from "../alerts/expect-alert.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface UnderLoad {
  rate: number;
  beforeSeconds: number;
  faultSeconds: number;
  afterSeconds: number;
}

/**
 * Steady traffic through HAProxy; the fault is injected `beforeSeconds` in and healed
 * `faultSeconds` later, while the traffic goes on for `afterSeconds` more.
 */
export async function faultUnderLoad(
  ctx: DrillContext,
  fault: Fault,
  o: UnderLoad,
): Promise<{ workload: WorkloadResult; healTime: number; quietTime: number }> {
  o = {
    ...o,
    rate: ctx.overrides.rate ?? o.rate,
    faultSeconds: ctx.overrides.faultSeconds ?? o.faultSeconds,
  };
  const seconds = o.beforeSeconds + o.faultSeconds + o.afterSeconds;
  ctx.progress.detail(
    `${o.rate} ops/s for ${seconds} s; ${fault.name} at ${o.beforeSeconds} s for ${o.faultSeconds} s`,
  );
  const workload = runWorkload({
    baseUrl: ctx.lab.endpoints.haproxy.url,
    phases: [{ rate: o.rate, seconds }],
    maxOps: Math.ceil(o.rate * seconds),
    concurrency: 32,
    timeoutMs: 5000,
    tag: ctx.tag,
    history: ctx.history,
  });
  let healTime = 0;
  const faulting = (async () => {
    await sleep(o.beforeSeconds * 1000);
    await withFault(ctx.lab, ctx.history, fault, () => sleep(o.faultSeconds * 1000));
    healTime = ctx.history.now();
  })();
  // Heal even when the workload throws: withFault's finally runs inside `faulting`.
  const [result] = await Promise.all([workload, faulting]);
  // Replicas can only agree once writes stop: convergence is measured from the later of heal and quiet.
  return { workload: result, healTime, quietTime: Math.max(healTime, ctx.history.now()) };
}

export interface AfterHeal {
  /** The later of the heal and the last write: convergence is timed from here. */
  quietTime: number;
  convergenceBoundSeconds: number;
  /** How long to keep watching for convergence (longer than the bound, to measure slow ones). */
  observeSeconds: number;
  availability: AvailabilityBounds;
}

/** After the heal: wait for (or give up on) convergence, then run every checker. */
export async function checkAfterHeal(ctx: DrillContext, o: AfterHeal): Promise<Record<string, Verdict>> {
  const nodes = { node1: ctx.lab.endpoints.nodes.node1.db, node2: ctx.lab.endpoints.nodes.node2.db };
  ctx.progress.detail(`watching the replicas converge (up to ${o.observeSeconds} s)`);
  const samples = await observeConvergence(nodes, () => ctx.history.now(), o.observeSeconds * 1000);
  const [s1, s2] = await Promise.all([
    snapshot(nodes.node1, ctx.tag).catch(() => undefined),
    snapshot(nodes.node2, ctx.tag).catch(() => undefined),
  ]);
  const [r1, r2] = await Promise.all([
    slaveState(nodes.node1).catch(() => undefined),
    slaveState(nodes.node2).catch(() => undefined),
  ]);
  return {
    availability: safely("availability", () => checkAvailability(ctx.history.events, o.availability)),
    durability: safely("durability", () => {
      if (!s1 || !s2) throw new Error("a database could not be read after the heal");
      return checkDurability(ctx.history.events, { node1: s1, node2: s2 }, ctx.tag);
    }),
    staleReads: safely("stale-reads", () => checkStaleReads(ctx.history.events)),
    convergence: safely("convergence", () =>
      checkConvergence(samples, o.quietTime, o.convergenceBoundSeconds),
    ),
    replication: safely("replication-health", () => checkReplicationHealth({ node1: r1, node2: r2 })),
  };
}

/** The figures every drill reports in summary.json. */
export function keyFigures(v: Record<string, Verdict>, w?: WorkloadResult): Record<string, number | null> {
  return {
    failoverSeconds: v.availability?.figures.failoverSeconds ?? null,
    failbackSeconds: v.availability?.figures.failbackSeconds ?? null,
    requestsFailed: v.availability?.figures.requestsFailed ?? null,
    acknowledgedWrites: v.durability?.figures.acknowledgedWrites ?? null,
    acknowledgedWritesLost: v.durability?.figures.acknowledgedWritesLost ?? null,
    indeterminateWrites: v.durability?.figures.indeterminateWrites ?? null,
    staleReads: v.staleReads?.figures.staleReads ?? null,
    secondsToConverge: v.convergence?.figures.secondsToConverge ?? null,
    operations: w?.invoked ?? null,
    p99Ms: w?.latency.p99 ?? null,
  };
}

/** Judges the drill's alert expectations (waiting within their budgets) from what the watcher recorded. */
export function checkAlerts(
  ctx: DrillContext,
  expected: readonly AlertExpectation[],
  o: { allow?: readonly AlertMatcher[]; faultAt?: number; healAt?: number } = {},
): Promise<AlertOutcome> {
  ctx.progress.detail(`judging ${expected.length} alert expectation(s)`);
  return assertAlerts(expected, {
    watcher: ctx.alerts,
    history: ctx.history,
    grafanaSkipped: ctx.grafanaSkipped,
    ...o,
  });
}

/** A drill's outcome with its alert judgement folded in. */
export function withAlerts(outcome: DrillOutcome, a: AlertOutcome): DrillOutcome {
  return {
    ...outcome,
    figures: { ...outcome.figures, ...a.figures },
    expectations: [...outcome.expectations, ...a.expectations],
    alerts: a.alerts,
  };
}

/** Budgets of the hardened profile (issue 4's targets): firing ≤ 10 s, notified ≤ 15 s, resolved ≤ 15 s. */
export const ALERT_BUDGET = { fires: 10, notified: 15, resolves: 15 } as const;

/** The seed's exporter cannot see replication: this alert says so all along, in every seed drill. */
export const SEED_ALWAYS: readonly AlertMatcher[] = [{ name: "ReplicationNotMonitored" }];

/**
 * Seed: its exporter cannot see replication, and `ReplicationNotMonitored` must say so for both nodes.
 * The rule waits 10 s (`for:`) from the lab's first scrape, longer than a short drill lasts, so wait
 * for it here, bounded, instead of judging whatever happened to arrive before the drill ended.
 */
export async function expectSeedReplicationUnmonitored(
  ctx: DrillContext,
  waitSeconds = 30,
): Promise<{ description: string; met: boolean; detail?: string }> {
  const nodes = ["node1", "node2"] as const;
  const blind = () =>
    nodes.filter((node) =>
      wasFiring(ctx.history.events, { name: "ReplicationNotMonitored", labels: { node } }),
    );
  const deadline = ctx.history.now() + waitSeconds * 1000;
  while (blind().length < nodes.length && ctx.history.now() < deadline) {
    await ctx.alerts.sync();
    if (blind().length < nodes.length) await sleep(500);
  }
  const seen = blind();
  return expectation(
    "ReplicationNotMonitored fires for both nodes (the seed's exporter lacks SLAVE MONITOR)",
    seen.length === nodes.length,
    `firing for: ${seen.join(", ") || "neither"} (waited up to ${waitSeconds} s)`,
  );
}

/**
 * HAProxy's frontend counters over a hold (before → after) against what the load generator saw
 * answered: every answer and every 5xx must be counted by both, or one side is lying.
 */
export function countersMatch(
  client: string,
  before: FrontendResponses,
  after: FrontendResponses,
  seen: { answered: number; fiveXx: number },
) {
  const answered = after.total - before.total;
  const fiveXx = after.fiveXx - before.fiveXx;
  return [
    expectation(
      `HAProxy answered exactly the requests ${client} saw answered`,
      answered === seen.answered,
      `HAProxy ${answered}, ${client} ${seen.answered}`,
    ),
    expectation(
      `HAProxy's 5xx count matches ${client}'s`,
      fiveXx === seen.fiveXx,
      `HAProxy ${fiveXx}, ${client} ${seen.fiveXx}`,
    ),
  ];
}
