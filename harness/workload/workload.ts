import { randomBytes } from "node:crypto";
import * as hdr from "hdr-histogram-js";
import { Agent } from "undici";
import type { OpCompletion } from "../history/history.ts";
import { Schedule } from "./arrival-schedule.ts";
import { OperationPlanner } from "./next-operation.ts";
import { kindPicker } from "./operation-mix.ts";
import { startOperation, type OperationTarget } from "./operation.ts";
import { checkWorkloadOptions, type WorkloadOptions } from "./workload-options.ts";

export interface WorkloadResult {
  invoked: number;
  ok: number;
  fail: number;
  info: number;
  /**
   * Arrivals not sent because `concurrency` operations were already in flight. Each is also in the
   * history as a `drop` event at the time it was due, so checkers see the load the lab did not serve.
   */
  dropped: number;
  /** When each dropped arrival was due (history clock), so a ramp can tell which step dropped. */
  droppedAt: number[];
  /**
   * Of `dropped`, those the generator reached more than LATE_MS after they were due: it was not
   * running (descheduled on a busy machine, a GC pause) while the answers that would have freed
   * the slots waited. The others found every slot busy on time: the server was slow.
   */
  droppedLate: number;
  seconds: number;
  latency: { p50: number; p90: number; p99: number; max: number; count: number };
}

/** How late the generator may reach an arrival before a drop is counted as its own (`droppedLate`). */
export const LATE_MS = 5;

/**
 * Open-model generator: operations start on a fixed schedule whether or not earlier ones finished,
 * so a stalled server cannot hide its latency by slowing the client down (no coordinated omission).
 *
 * Cheap per operation, so the generator keeps up at thousands of operations per second on a busy
 * machine: one timer for each batch of due arrivals (armed for the next one), run after the I/O of
 * its loop turn so operations that already completed free their slot first; operations driven by
 * callbacks, not a promise each.
 */
export async function runWorkload(o: WorkloadOptions): Promise<WorkloadResult> {
  checkWorkloadOptions(o);
  const agent = new Agent({
    connections: o.concurrency,
    keepAliveTimeout: 4000,
    pipelining: 1,
    connect: { timeout: o.timeoutMs },
  });
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000,
    numberOfSignificantValueDigits: 3,
  });
  const random = o.random ?? Math.random;
  const pick = kindPicker(o.mix, random);

  const { history, signal } = o;
  const target: OperationTarget = { baseUrl: o.baseUrl, agent, timeoutMs: o.timeoutMs, history };
  // Each process is one client session, one operation at a time. A session whose operation ended
  // with an unknown outcome (info) is retired and a fresh one takes its slot, as Jepsen does: the
  // unknown write may still be in flight, and the session's order would no longer say what it saw.
  const freeProcesses: number[] = Array.from({ length: o.concurrency }, (_, i) => o.concurrency - 1 - i);
  let nextProcess = o.concurrency;
  const counts = { invoked: 0, ok: 0, fail: 0, info: 0, dropped: 0, droppedLate: 0 };
  const droppedAt: number[] = [];
  // Titles are unique in the app: two runs with one tag must not collide (a 409 is not an outage).
  const planner = new OperationPlanner({
    prefix: `${o.tag}-${randomBytes(3).toString("hex")}`,
    random,
    ...(o.hotItems === undefined ? {} : { hotItems: o.hotItems }),
  });

  let inFlight = 0;
  let closed = false;
  let failure: { error: unknown } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  /** No arrival is sent after this; resolves `finished` once the last operation in flight completes. */
  const close = (): void => {
    closed = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    signal?.removeEventListener("abort", onAbort);
    if (inFlight === 0) finish();
  };
  const fail = (error: unknown): void => {
    failure ??= { error };
    close();
  };

  const completed = (c: OpCompletion): void => {
    try {
      histogram.recordValue(Math.max(1, Math.round(c.latencyMs)));
      counts[c.type]++;
      planner.learn(c);
    } catch (err) {
      fail(err);
    } finally {
      freeProcesses.push(c.type === "info" ? nextProcess++ : c.process);
      inFlight--;
      if (closed && inFlight === 0) finish();
    }
  };

  const send = (process: number): void => {
    const op = planner.next(pick());
    counts.invoked++;
    inFlight++;
    try {
      startOperation(completed, target, process, op.kind, op.value, op.path, op.body);
    } catch (err) {
      // Only recording the invoke can throw here (a listener): nothing was sent.
      inFlight--;
      freeProcesses.push(process);
      throw err;
    }
  };

  const schedule = new Schedule(o.phases, o.maxOps);
  let next = schedule.next();
  const start = history.now();
  /** Sends (or drops) every arrival now due, then arms the one timer for the next. */
  const arrive = (): void => {
    timer = undefined;
    if (closed) return;
    try {
      let now = history.now();
      while (next >= 0 && !signal?.aborted) {
        const due = start + next;
        if (due > now) {
          now = history.now();
          if (due > now) {
            timer = setTimeout(wake, due - now);
            return;
          }
        }
        next = schedule.next();
        const process = freeProcesses.pop();
        if (process === undefined) {
          counts.dropped++;
          if (now - due > LATE_MS) counts.droppedLate++;
          droppedAt.push(due);
          // Stamped when it was due, not when noticed: a loop running behind drops several at once.
          history.append({ type: "drop", time: due });
        } else send(process);
      }
      close();
    } catch (err) {
      fail(err);
    }
  };
  // The timer fires before this loop turn's I/O; arrivals wait for it (setImmediate runs after it).
  const wake = (): void => void setImmediate(arrive);
  const onAbort = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    wake();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  arrive();

  await finished;
  await agent.close();
  if (failure) {
    histogram.destroy();
    throw failure.error;
  }
  const seconds = (history.now() - start) / 1000;
  const latency = {
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    max: histogram.maxValue,
    count: histogram.totalCount,
  };
  histogram.destroy();
  return { ...counts, droppedAt, seconds, latency };
}
