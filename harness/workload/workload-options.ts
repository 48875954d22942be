import type { HistoryRecorder } from "../history/history-file.ts";
import type { OpKind } from "../history/history.ts";
import type { RatePhase } from "./arrival-schedule.ts";

export interface WorkloadOptions {
  baseUrl: string;
  phases: readonly RatePhase[];
  /** Hard bound on operations, whatever the phases say. */
  maxOps: number;
  /** Most operations in flight at once; an arrival beyond it is counted as dropped, not queued. */
  concurrency: number;
  timeoutMs: number;
  /** Relative weights of the operations. */
  mix?: Partial<Record<OpKind, number>>;
  /**
   * Edits and item reads go to the run's first this-many items only: a drill that must see two
   * sides of a failover edit the same rows narrows them. Default: any item, recent ones favoured.
   */
  hotItems?: number;
  /** Prefix of every title and text this run writes, so checkers can tell its rows from others. */
  tag: string;
  history: HistoryRecorder;
  /** Stop early (e.g. a drill's deadline). */
  signal?: AbortSignal;
  /** Source of every random choice (operation, list, item), in [0, 1); tests inject a seeded one. */
  random?: () => number;
}

/** Validates options before anything is sent: one clear message per mistake. */
export function checkWorkloadOptions(
  o: Pick<WorkloadOptions, "phases" | "maxOps" | "concurrency" | "timeoutMs" | "hotItems">,
  capSeconds = 3600,
): void {
  if (o.phases.length === 0) throw new Error("workload needs at least one rate phase");
  for (const p of o.phases) {
    if (!(p.rate > 0) || !Number.isFinite(p.rate))
      throw new Error(`rate must be a positive number of operations per second, not ${p.rate}`);
    if (!(p.seconds > 0)) throw new Error(`phase duration must be positive, not ${p.seconds}`);
  }
  const total = o.phases.reduce((s, p) => s + p.seconds, 0);
  if (total > capSeconds) throw new Error(`workload lasts ${total} s, over the cap of ${capSeconds} s`);
  if (!(o.maxOps > 0 && Number.isInteger(o.maxOps)))
    throw new Error(`maxOps must be a positive integer, not ${o.maxOps}`);
  if (!(o.concurrency > 0 && Number.isInteger(o.concurrency)))
    throw new Error(`concurrency must be a positive integer, not ${o.concurrency}`);
  if (!(o.timeoutMs > 0)) throw new Error(`timeoutMs must be positive, not ${o.timeoutMs}`);
  if (o.hotItems !== undefined && !(o.hotItems > 0 && Number.isInteger(o.hotItems)))
    throw new Error(`hotItems must be a positive integer, not ${o.hotItems}`);
}
