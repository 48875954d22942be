import type { AvailabilityBounds } from "../checkers/availability.ts";
import { runCheckers, type CheckerSpec } from "../checkers/checker.ts";
import {
  checkConvergence,
  type ConvergenceOptions,
  type ConvergenceSample,
} from "../checkers/convergence.ts";
import { checkSteadyState, type SteadyStateSpec } from "../checkers/steady-state.ts";
import type { Verdict } from "../checkers/verdict.ts";
import type { Fault } from "../faults/fault.ts";
import { withFault } from "../faults/with-fault.ts";
import { requireSupported } from "../faults/fault-target.ts";
import { ConvergenceObserver } from "../probes/db-state.ts";
import type { HistoryEvent, ReplicationStateEvent } from "../history/history.ts";
import { observeState } from "../report/observed-state.ts";
import { restartIoThread } from "../db/replication.ts";
import { finalReads } from "../workload/final-reads.ts";
import { runWorkload, type WorkloadResult } from "../workload/workload.ts";
import {
  expectation,
  SteadyStateNotMetError,
  verdictHolds,
  type DrillContext,
  type DrillOutcome,
} from "./drill.ts";
import type { FrontendResponses } from "../probes/haproxy-metrics.ts";
import type { AlertMatcher } from "../alerts/alert-key.ts";
import { assertAlerts, type AlertExpectation, type AlertOutcome } from "../alerts/expect-alert.ts";
import { WATCHDOG_MAX_GAP_SECONDS } from "../alerts/pipeline-alive.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The primary: HAProxy sends everything to node1 while it is healthy (node2 is the backup). */
export const PRIMARY = "node1";

export interface UnderLoad {
  rate: number;
  beforeSeconds: number;
  faultSeconds: number;
  afterSeconds: number;
  /** Sample the databases from the heal on, for convergence (default true). */
  observeConvergence?: boolean;
}

/** What `faultUnderLoad` leaves for the checks after the heal. */
export interface LoadedFault {
  workload: WorkloadResult;
  rate: number;
  loadStart: number;
  healTime: number;
  /** When the last operation ended: the whole tables can only be equal from here. */
  quietTime: number;
  steadyBefore: SteadyStateSpec;
  /** Samples both databases from the heal on (convergence is timed from the heal); unset when not asked. */
  convergence: ConvergenceObserver | undefined;
}

/**
 * The steady state before a fault: every operation of the window succeeded on the primary, enough
 * of them, replication running both ways. Checked on the history as it stands; when it does not
 * hold, the drill stops here and the fault is never injected.
 */
export async function requireSteadyState(
  ctx: DrillContext,
  window: { from: number; until: number; rate: number },
): Promise<SteadyStateSpec> {
  await Promise.all([ctx.states.sync(), ctx.alerts.sync()]);
  const spec: SteadyStateSpec = {
    label: "before the fault",
    from: window.from,
    until: window.until,
    // Half the offered operations: a 2-core machine may start slowly, a broken stack serves none.
    minOk: Math.max(3, Math.floor((window.rate * (window.until - window.from)) / 2000)),
    primary: PRIMARY,
    replication: true,
    alertPipeline: { maxGapSeconds: WATCHDOG_MAX_GAP_SECONDS },
  };
  let v = checkSteadyState(ctx.history.events, spec);
  // A lab just up may not have sent its first Watchdog notification yet: wait for one, bounded.
  const deadline = ctx.history.now() + WATCHDOG_MAX_GAP_SECONDS * 1000;
  while (v.valid !== true && onlyPipeline(v) && ctx.history.now() < deadline) {
    await sleep(500);
    await ctx.alerts.sync();
    spec.until = ctx.history.now();
    v = checkSteadyState(ctx.history.events, spec);
  }
  ctx.progress.detail(
    `steady state before the fault: ${v.valid === true ? "holds" : v.findings.map((f) => f.message).join("; ")}`,
  );
  if (v.valid !== true) throw new SteadyStateNotMetError(v);
  return spec;
}

const onlyPipeline = (v: Verdict) => v.findings.every((f) => f.kind === "alert-pipeline-dead");

/**
 * A short, light load through HAProxy to prove the steady state, for drills whose fault is not
 * injected under `faultUnderLoad`'s load (the split-brain writes, the load ramp).
 */
export async function steadyStateFirst(ctx: DrillContext, rate = 10, seconds = 2): Promise<SteadyStateSpec> {
  const from = ctx.history.now();
  await runWorkload({
    baseUrl: ctx.lab.endpoints.haproxy.url,
    phases: [{ rate, seconds }],
    maxOps: rate * seconds,
    concurrency: 8,
    timeoutMs: 5000,
    tag: ctx.tag,
    history: ctx.history,
  });
  return requireSteadyState(ctx, { from, until: ctx.history.now(), rate });
}

/**
 * Steady traffic through HAProxy; once the steady state is proven `beforeSeconds` in, the fault is
 * injected and healed `faultSeconds` later, while the traffic goes on for `afterSeconds` more.
 */
export async function faultUnderLoad(ctx: DrillContext, fault: Fault, o: UnderLoad): Promise<LoadedFault> {
  o = {
    ...o,
    rate: ctx.overrides.rate ?? o.rate,
    faultSeconds: ctx.overrides.faultSeconds ?? o.faultSeconds,
  };
  // A fault this lab cannot inject is reported skipped before any load is sent.
  await requireSupported(ctx.lab, fault);
  return phaseUnderLoad(
    ctx,
    {
      description: `${fault.name} at ${o.beforeSeconds} s for ${o.faultSeconds} s`,
      seconds: o.faultSeconds,
      run: () => withFault(ctx.lab, ctx.history, fault, () => sleep(o.faultSeconds * 1000)),
    },
    o,
  );
}

/**
 * What a drill does to the stack under `phaseUnderLoad`'s load: one fault (`faultUnderLoad`) or a
 * whole schedule of them (the explorer's), injected and healed by `run`.
 */
export interface FaultPhase {
  /** For the progress line: "crash node1 at 4 s for 10 s". */
  description: string;
  /** Planned seconds from the first inject to the last heal. */
  seconds: number;
  /**
   * Seconds the phase may run past its plan (heals that take a while, faults waiting for one), so
   * the load's schedule does not run out before `afterSeconds` after the last heal.
   */
  slackSeconds?: number;
  /** Injects and heals (heals in `finally`, as withFault does); resolves once everything is healed. */
  run(): Promise<unknown>;
}

/**
 * Steady traffic through HAProxy; once the steady state is proven `beforeSeconds` in, `phase` runs,
 * and the traffic goes on for `afterSeconds` after it ends. Its end is the heal the convergence is
 * timed from.
 */
export async function phaseUnderLoad(
  ctx: DrillContext,
  phase: FaultPhase,
  o: Omit<UnderLoad, "faultSeconds">,
): Promise<LoadedFault> {
  const seconds = o.beforeSeconds + phase.seconds + o.afterSeconds;
  ctx.progress.detail(`${o.rate} ops/s for ${seconds} s; ${phase.description}`);
  const stopLoad = new AbortController();
  const loadStart = ctx.history.now();
  // The load runs until `afterSeconds` after the heal, however long the steady state took to prove;
  // its schedule only bounds it (with slack for that wait).
  const bound = seconds + (phase.slackSeconds ?? 0) + WATCHDOG_MAX_GAP_SECONDS + 10;
  const workload = runWorkload({
    baseUrl: ctx.lab.endpoints.haproxy.url,
    phases: [{ rate: o.rate, seconds: bound }],
    maxOps: Math.ceil(o.rate * bound),
    concurrency: 32,
    timeoutMs: 5000,
    tag: ctx.tag,
    history: ctx.history,
    signal: stopLoad.signal,
  });
  let healTime = 0;
  let steadyBefore: SteadyStateSpec | undefined;
  let convergence: ConvergenceObserver | undefined;
  const faulting = (async () => {
    try {
      await sleep(o.beforeSeconds * 1000);
      steadyBefore = await requireSteadyState(ctx, {
        from: loadStart,
        until: ctx.history.now(),
        rate: o.rate,
      });
      await phase.run();
      healTime = ctx.history.now();
      if (o.observeConvergence !== false)
        convergence = observeConvergenceFrom(ctx, (o.afterSeconds + 120) * 1000);
      await sleep(o.afterSeconds * 1000);
    } finally {
      stopLoad.abort();
    }
  })();
  // Heal even when the workload throws (the phase's heals run inside `faulting`), and let the
  // load wind down even when the fault side throws (no request outlives the drill).
  const [w, f] = await Promise.allSettled([workload, faulting]);
  if (f.status === "rejected") throw f.reason;
  if (w.status === "rejected") throw w.reason;
  const result = w.value;
  return {
    workload: result,
    rate: o.rate,
    loadStart,
    healTime,
    quietTime: ctx.history.now(),
    steadyBefore: steadyBefore!,
    convergence,
  };
}

/** Starts sampling both databases now; stopped by the checks after the heal, or when the drill ends. */
export function observeConvergenceFrom(ctx: DrillContext, maxMs: number): ConvergenceObserver {
  const nodes = { node1: ctx.lab.endpoints.nodes.node1.db, node2: ctx.lab.endpoints.nodes.node2.db };
  const observer = new ConvergenceObserver(nodes, ctx.tag, () => ctx.history.now(), maxMs);
  ctx.defer(() => observer.stop());
  return observer;
}

export interface AfterHeal {
  convergenceBoundSeconds: number;
  /** How long to keep watching for convergence (longer than the bound, to measure slow ones). */
  observeSeconds: number;
  availability: AvailabilityBounds;
}

/** What the checks after a heal saw and concluded, ready to become a drill's outcome. */
export interface Checked {
  verdicts: Record<string, Verdict>;
  /** The checkers and their options, saved so a rebuilt report judges as the run did. */
  checkers: CheckerSpec[];
  inputs: Pick<DrillOutcome, "observed" | "samples">;
}

/** Whether the checker already sees both the catch-up and the equal tables, holding. */
function converged(
  ctx: DrillContext,
  samples: readonly ConvergenceSample[],
  options: ConvergenceOptions,
): boolean {
  const f = checkConvergence(ctx.history.events, samples, options).figures;
  return f.secondsToConverge !== null && f.secondsToEqualAfterQuiet !== null;
}

/**
 * The replica whose SQL thread is stopped on an error (its last sampled state; the sampler records
 * changes only, so that may be from before the heal), if any: it will not catch up until an operator
 * deals with the error (restarting the IO thread does not), so waiting longer for convergence only
 * spends time (a duplicate key, 1062, after a split brain). A restarted server starts it again, and
 * the sampler records that.
 */
export function replicaStoppedOnError(events: readonly HistoryEvent[]): string | undefined {
  const last = new Map<string, ReplicationStateEvent>();
  for (const e of events) if (e.type === "replication-state") last.set(e.node, e);
  for (const [node, s] of last) if (!s.sql && s.lastErrno !== 0) return `${node} (error ${s.lastErrno})`;
  return undefined;
}

/**
 * Waits for the replicas to converge (or gives up), stopping as soon as the checker can judge: they
 * converged, or a replica's SQL thread is stopped on an error (they never will).
 */
export async function awaitConvergence(
  ctx: DrillContext,
  observer: ConvergenceObserver,
  options: ConvergenceOptions,
  observeSeconds: number,
): Promise<void> {
  ctx.progress.detail(`watching the replicas converge (up to ${observeSeconds.toFixed(0)} s)`);
  await observer.until(
    (samples) => converged(ctx, samples, options) || replicaStoppedOnError(ctx.history.events) !== undefined,
    observeSeconds * 1000,
  );
  const stopped = replicaStoppedOnError(ctx.history.events);
  if (stopped) ctx.progress.detail(`stopped watching: the SQL thread of ${stopped} stopped replicating`);
}

/**
 * After the heal: wait for (or give up on) convergence, read every acknowledged item back through
 * HAProxy, read the databases, then run every checker — the steady state again included.
 */
export async function checkAfterHeal(ctx: DrillContext, load: LoadedFault, o: AfterHeal): Promise<Checked> {
  const convergence: ConvergenceOptions = {
    healAt: load.healTime,
    quietAt: load.quietTime,
    boundSeconds: o.convergenceBoundSeconds,
  };
  if (!load.convergence) throw new Error("checkAfterHeal: the load was run without observing convergence");
  // Watch until the bound (and a little) has passed since the heal; a catch-up later than that
  // proves the bound missed, and the operator's repair ends the wait the seed's 60 s
  // `slave_net_timeout` would otherwise impose (the verdict says the catch-up was helped).
  const judgeable = load.healTime + (o.convergenceBoundSeconds + 3) * 1000 - ctx.history.now();
  await awaitConvergence(
    ctx,
    load.convergence,
    convergence,
    Math.max(1, Math.min(o.observeSeconds, judgeable / 1000)),
  );
  if (!converged(ctx, load.convergence.samples, convergence)) {
    convergence.repairAt = ctx.history.now();
    ctx.progress.detail(
      "not caught up within the bound: restarting both replicas' IO threads (the operator's repair)",
    );
    const dbs = [ctx.lab.endpoints.nodes.node1.db, ctx.lab.endpoints.nodes.node2.db];
    await Promise.all(dbs.map((db) => restartIoThread(db).catch(() => undefined)));
    ctx.history.append({
      type: "repair",
      what: "replica IO threads restarted on node1 and node2",
      time: convergence.repairAt,
    });
    await awaitConvergence(ctx, load.convergence, convergence, o.observeSeconds);
  }
  await load.convergence.stop();
  const reads = await finalReads({
    baseUrl: ctx.lab.endpoints.haproxy.url,
    history: ctx.history,
    concurrency: 8,
    timeoutMs: 5000,
  });
  ctx.progress.detail(
    `read back ${reads.read} acknowledged item(s) through HAProxy: ${reads.notFound} not found, ${reads.failed} failed`,
  );
  await ctx.states.sync();
  const checkers: CheckerSpec[] = [
    { id: "steady-state", name: "steady-state-before", options: load.steadyBefore },
    { id: "fault-effect" },
    { id: "availability", options: o.availability },
    { id: "durability" },
    { id: "stale-reads" },
    { id: "convergence", options: convergence },
    { id: "replication-health" },
    steadyAfter(ctx, load.quietTime - 3000, load.rate),
  ];
  return judge(ctx, checkers, load.convergence?.samples);
}

/**
 * The steady state after the heal: the last seconds of the load (and the read-back) served by the
 * primary with no failure, and replication running both ways by the end of the observation.
 */
export function steadyAfter(ctx: DrillContext, from: number, rate: number): CheckerSpec {
  const until = ctx.history.now();
  return {
    id: "steady-state",
    name: "steady-state-after",
    options: {
      label: "after the heal",
      from,
      until,
      minOk: Math.max(3, Math.floor((rate * 3) / 2)),
      primary: PRIMARY,
      replication: true,
      alertPipeline: { maxGapSeconds: WATCHDOG_MAX_GAP_SECONDS },
    },
  };
}

/** Reads the databases as the drill leaves them and runs the drill's checkers on the one input. */
export async function judge(
  ctx: DrillContext,
  checkers: CheckerSpec[],
  samples: Checked["inputs"]["samples"],
  moments?: Record<string, NonNullable<DrillOutcome["observed"]>["replication"]>,
): Promise<Checked> {
  await ctx.states.sync();
  const observed = await observeState(ctx.lab, ctx.tag, ctx.history.now());
  if (moments) observed.moments = moments;
  const list = runCheckers(checkers, { history: ctx.history.events, observed, samples });
  return {
    verdicts: Object.fromEntries(list.map((v) => [v.checker, v])),
    checkers,
    inputs: { observed, samples },
  };
}

/**
 * Failover when node1 goes: the hardened stack's bounds (an outage, a first success on node2 and any
 * error window ≤ 2 s); the seed's failover is measured, not bounded.
 */
export function failoverBounds(profile: DrillContext["profile"]): AvailabilityBounds {
  const nodes = { failoverNode: "node2", primaryNode: PRIMARY };
  return profile === "seed"
    ? nodes
    : { ...nodes, failoverSeconds: 2, firstSuccessSeconds: 2, maxErrorWindowSeconds: 2 };
}

/**
 * What every drill whose fault ran under `faultUnderLoad` expects in both profiles: the steady state
 * before, the fault's effect, nothing acknowledged lost, and the steady state again after the heal.
 */
export function faultExpectations(v: Record<string, Verdict>, effect: string) {
  return [
    verdictHolds("steady state before the fault", v["steady-state-before"]),
    verdictHolds(effect, v["fault-effect"]),
    verdictHolds("no acknowledged write lost", v.durability),
    verdictHolds("steady state restored after the heal", v["steady-state-after"]),
  ];
}

/** The figures every drill reports in summary.json. */
export function keyFigures(v: Record<string, Verdict>, w?: WorkloadResult): Record<string, number | null> {
  return {
    failoverSeconds: v.availability?.figures.failoverSeconds ?? null,
    firstSuccessSeconds: v.availability?.figures.firstSuccessSeconds ?? null,
    failbackSeconds: v.availability?.figures.failbackSeconds ?? null,
    longestErrorWindowSeconds: v.availability?.figures.longestErrorWindowSeconds ?? null,
    requestsFailed: v.availability?.figures.requestsFailed ?? null,
    acknowledgedWrites: v.durability?.figures.acknowledgedWrites ?? null,
    acknowledgedWritesLost: v.durability?.figures.acknowledgedWritesLost ?? null,
    indeterminateWrites: v.durability?.figures.indeterminateWrites ?? null,
    staleReads: v["stale-reads"]?.figures.staleReads ?? null,
    secondsToConverge: v.convergence?.figures.secondsToConverge ?? null,
    secondsToEqualAfterQuiet: v.convergence?.figures.secondsToEqualAfterQuiet ?? null,
    operations: w?.invoked ?? null,
    dropped: w?.dropped ?? null,
    p99Ms: w?.latency.p99 ?? null,
  };
}

/** A drill's outcome from its checks: verdicts, checkers and their inputs, figures and expectations. */
export function outcomeOf(
  checked: Checked,
  figures: Record<string, number | null>,
  expectations: DrillOutcome["expectations"],
): DrillOutcome {
  return {
    verdicts: Object.values(checked.verdicts),
    checkers: checked.checkers,
    ...checked.inputs,
    figures,
    expectations,
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
