import { describeIssues } from "../util/zod-issues.ts";
import { resolveLimits, limitViolations, type ScheduleLimits } from "./limits.ts";
import {
  endSeconds,
  overlap,
  ScheduleSchema,
  sortFaults,
  type Schedule,
  type ScheduledFault,
} from "../faults/schedule.ts";

/** Which step of the shrinker proposed a candidate. */
export type ShrinkStep = "input" | "drop-faults" | "shorten" | "move-later";

export interface TriedCandidate {
  step: ShrinkStep;
  schedule: Schedule;
  fails: boolean;
}

export interface ShrinkResult {
  /** The smallest schedule seen failing; the input itself when nothing smaller failed (or it never failed). */
  schedule: Schedule;
  /** Whether `schedule` was seen failing; false when the input passed, or the budget allowed no run. */
  fails: boolean;
  /** Every candidate run, in order, the input first. */
  tried: TriedCandidate[];
  /** How many times `fails` was called: `tried.length`, never more than `maxRuns`. */
  runs: number;
}

export interface ShrinkOptions {
  /** At most this many calls of `fails` (each is a drill on a real lab: minutes, not milliseconds). */
  maxRuns: number;
  /** The limits every candidate keeps; the input must keep them too. Defaults: limits.ts. */
  limits?: Partial<ScheduleLimits>;
}

/**
 * Shrinks a failing schedule to a smaller one that still fails, for a reader who has to understand
 * the failure: fewer faults first (delta debugging over the fault list: halves, then quarters, down
 * to single faults, until no single fault can go), then shorter faults (each by bisection down to
 * the minimum duration), then faults moved apart (each overlapping fault started where the faults it
 * overlaps end, so a failure that does not need the overlap shows without it). A candidate is kept
 * only when it still fails; it is always schema-valid and within the limits (an invalid one is never
 * run), and one seen before is never run again. `fails` is the expensive part, so the budget counts
 * its calls and the shrinker stops the moment the budget is spent, with the best schedule so far.
 */
export async function shrinkSchedule(
  input: Schedule,
  /** Runs a candidate; told which step proposed it, so a caller can record it as it goes. */
  fails: (s: Schedule, step: ShrinkStep) => Promise<boolean>,
  options: ShrinkOptions,
): Promise<ShrinkResult> {
  const limits = resolveLimits(options.limits);
  const parsed = ScheduleSchema.safeParse(input);
  if (!parsed.success) throw new Error(`shrink: not a fault schedule: ${describeIssues(parsed.error)}`);
  const broken = limitViolations(input, limits);
  if (broken.length > 0) throw new Error(`shrink: the input breaks its limits: ${broken.join("; ")}`);

  const tried: TriedCandidate[] = [];
  const seen = new Set<string>();
  const outOfBudget = () => tried.length >= options.maxRuns;

  /** Runs a candidate once; undefined when it was seen before, is invalid, or the budget is spent. */
  async function attempt(step: ShrinkStep, faults: ScheduledFault[]): Promise<boolean | undefined> {
    const schedule: Schedule = { seed: input.seed, faults: sortFaults(faults) };
    const key = JSON.stringify(schedule.faults);
    if (seen.has(key) || outOfBudget()) return undefined;
    seen.add(key);
    if (limitViolations(schedule, limits).length > 0) return undefined;
    const result = await fails(structuredClone(schedule), step);
    tried.push({ step, schedule, fails: result });
    if (result) current = schedule;
    return result;
  }

  let current: Schedule = { seed: input.seed, faults: sortFaults(input.faults) };
  const failsAtAll = await attempt("input", current.faults);
  if (!failsAtAll) return { schedule: input, fails: false, tried, runs: tried.length };

  await dropFaults(() => current.faults, attempt, outOfBudget);
  await shortenFaults(() => current.faults, attempt, outOfBudget, limits.minDurationSeconds);
  await moveApart(() => current.faults, attempt, outOfBudget);
  return { schedule: current, fails: true, tried, runs: tried.length };
}

type Attempt = (step: ShrinkStep, faults: ScheduledFault[]) => Promise<boolean | undefined>;

/**
 * ddmin over the fault list, removing one chunk at a time: start with halves; after a chunk goes,
 * keep about the same granularity; when no chunk can go, halve the chunks, until they are single
 * faults and none can go. A single fault left is tried away too: a failure without any fault is the
 * smallest of all (and says the stack fails on its own).
 */
async function dropFaults(faults: () => ScheduledFault[], attempt: Attempt, outOfBudget: () => boolean) {
  let chunks = 2;
  while (faults().length > 0 && !outOfBudget()) {
    const all = faults();
    const n = Math.min(chunks, all.length);
    const size = Math.ceil(all.length / n);
    let dropped = false;
    for (let from = 0; from < all.length; from += size) {
      const rest = [...all.slice(0, from), ...all.slice(from + size)];
      if ((await attempt("drop-faults", rest)) === true) {
        dropped = true;
        chunks = Math.max(n - 1, 2);
        break;
      }
      if (outOfBudget()) return;
    }
    if (dropped) continue;
    if (n >= all.length) return;
    chunks = Math.min(n * 2, all.length);
  }
}

/**
 * Each fault, by bisection, to the shortest duration that still fails (assumed monotone: a wrong
 * guess only costs a longer fault). A fault keeps its place in the list meanwhile: the order is by
 * start, kind and target, and no two faults on one target overlap, so a duration never decides it.
 */
async function shortenFaults(
  faults: () => ScheduledFault[],
  attempt: Attempt,
  outOfBudget: () => boolean,
  minDuration: number,
) {
  for (let i = 0; i < faults().length && !outOfBudget(); i++) {
    let low = minDuration;
    let high = faults()[i]!.durationSeconds; // fails, as every kept schedule does
    while (low < high && !outOfBudget()) {
      const mid = Math.floor((low + high) / 2);
      const shorter = faults().map((f, j) => (j === i ? { ...f, durationSeconds: mid } : f));
      if ((await attempt("shorten", shorter)) === true) high = mid;
      else low = mid + 1;
    }
  }
}

/**
 * Each fault that overlaps earlier-starting ones, started instead where the last of them ends. Kept
 * when the failure survives: the faults did not need to overlap. Faults are visited from the latest
 * start back, so a move never lands on a fault that is itself about to move.
 */
async function moveApart(faults: () => ScheduledFault[], attempt: Attempt, outOfBudget: () => boolean) {
  const order = [...faults()].reverse();
  for (const f of order) {
    if (outOfBudget()) return;
    const all = faults();
    const i = all.findIndex((g) => sameFault(g, f));
    if (i < 0) continue;
    const earlier = all.filter((g, j) => j !== i && g.startSeconds <= f.startSeconds && overlap(g, f));
    if (earlier.length === 0) continue;
    const later = Math.max(...earlier.map(endSeconds));
    await attempt(
      "move-later",
      all.map((g, j) => (j === i ? { ...g, startSeconds: later } : g)),
    );
  }
}

const sameFault = (a: ScheduledFault, b: ScheduledFault) =>
  a.kind === b.kind &&
  a.target === b.target &&
  a.startSeconds === b.startSeconds &&
  a.durationSeconds === b.durationSeconds;
