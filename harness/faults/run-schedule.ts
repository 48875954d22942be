import type { Fault } from "./fault.ts";
import { withFault } from "./with-fault.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { Lab } from "../lab/lab.ts";
import type { Progress } from "../progress/progress.ts";
import type { HistoryEvent } from "../history/history.ts";
import { sameTarget } from "./fault-kinds.ts";
import { describeFault, type Schedule, type ScheduledFault } from "./schedule.ts";

/** When one fault of a schedule really ran, on the history's clock (ms); heals take time, so four moments. */
export interface FaultSpan {
  fault: Pick<ScheduledFault, "kind" | "target">;
  /** The real fault's name, as the history's fault events carry it. */
  name: string;
  /** The inject began (just before withFault) and returned. */
  injectAt: number;
  injectedAt: number;
  /** The heal began and returned (a crashed server's databases take seconds to start). */
  healAt: number;
  healedAt: number;
}

/** What running a schedule needs: the lab, the history the faults go into, and progress lines. */
export interface ScheduleRunContext {
  lab: Lab;
  history: HistoryRecorder;
  progress: Progress;
}

export interface ScheduleRunOptions {
  /** The real fault of each of the schedule's faults, in its order (schedule.ts `toFault`). */
  faults: readonly Fault[];
  /** Milliseconds per schedule second: 1000, but tests run a schedule in a blink. */
  unitMs?: number;
}

/** Resolves after `ms`, or at once when `signal` aborts (a fault then heals early). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** When the last heal of `name` began; faults of one name never overlap, so it is the one just done. */
function lastHeal(events: readonly HistoryEvent[], name: string): number | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === "fault" && e.phase === "heal" && e.fault === name) return e.time;
  }
  return undefined;
}

/**
 * Runs a schedule's faults against the lab, each at its start (counted from now) for its duration,
 * concurrently, each through withFault (inject, watch its effect, heal in `finally`, all recorded
 * in the history). Returns when every fault has healed, with when each really ran.
 *
 * Two faults on one target never overlap in a schedule, but a heal takes real time (a crashed
 * server's databases start again): a fault waits for the heal of any earlier one on its target
 * rather than act on a server half back, and then runs its full duration, later than planned.
 * When one fault throws, the faults not yet injected are not, the active ones heal at once, and the
 * first error is rethrown once everything is healed.
 */
export async function runSchedule(
  ctx: ScheduleRunContext,
  schedule: Schedule,
  o: ScheduleRunOptions,
): Promise<FaultSpan[]> {
  if (o.faults.length !== schedule.faults.length)
    throw new Error(`runSchedule: ${o.faults.length} fault(s) for ${schedule.faults.length} scheduled`);
  const unit = o.unitMs ?? 1000;
  const t0 = ctx.history.now();
  const stop = new AbortController();
  const spans: Partial<FaultSpan>[] = schedule.faults.map((f, i) => ({ fault: f, name: o.faults[i]!.name }));
  const runs: Promise<void>[] = [];
  schedule.faults.forEach((planned, i) => {
    const fault = o.faults[i]!;
    const span = spans[i]!;
    const earlier = runs.filter((_, j) => sameTarget(schedule.faults[j]!, planned));
    runs.push(
      (async () => {
        await Promise.allSettled(earlier);
        await pause(t0 + planned.startSeconds * unit - ctx.history.now(), stop.signal);
        if (stop.signal.aborted) return;
        span.injectAt = ctx.history.now();
        try {
          await withFault(ctx.lab, ctx.history, fault, async () => {
            span.injectedAt = ctx.history.now();
            ctx.progress.detail(`${describeFault(planned)}: injected`);
            await pause(planned.durationSeconds * unit, stop.signal);
          });
          span.healedAt = ctx.history.now();
          // The heal is dated when it began, after a last look for the effect: read it back.
          span.healAt = lastHeal(ctx.history.events, fault.name) ?? span.healedAt;
        } catch (err) {
          stop.abort();
          throw err;
        }
      })(),
    );
  });
  const settled = await Promise.allSettled(runs);
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return spans as FaultSpan[];
}
