import { exploredKinds, sameTarget } from "../faults/fault-kinds.ts";
import { resolveLimits, type ScheduleLimits } from "./limits.ts";
import { deriveSeed, mulberry32 } from "../util/prng.ts";
import { overlap, sortFaults, type Schedule, type ScheduledFault } from "../faults/schedule.ts";

// How many draws a schedule may spend per fault it wants: a draw is refused when it would break a
// limit, and with tight limits (one fault at a time in a short horizon) most are. Bounded, so a
// schedule that cannot be filled ends with fewer faults instead of looping.
const ATTEMPTS_PER_FAULT = 20;

/** Whether `candidate` can join `faults` without two faults on one target or too many at once. */
function fits(faults: readonly ScheduledFault[], candidate: ScheduledFault, maxConcurrent: number): boolean {
  const overlapping = faults.filter((f) => overlap(f, candidate));
  if (overlapping.some((f) => sameTarget(f, candidate))) return false;
  // Within the candidate's window, the count changes only where a fault starts: look there.
  const instants = [candidate.startSeconds, ...overlapping.map((f) => f.startSeconds)].filter(
    (t) => t >= candidate.startSeconds,
  );
  return instants.every(
    (t) =>
      1 + overlapping.filter((f) => f.startSeconds <= t && t < f.startSeconds + f.durationSeconds).length <=
      maxConcurrent,
  );
}

/**
 * The one schedule of a seed. The fault count is drawn first, then each fault (kind, then target,
 * duration, start); a fault that would break a limit is drawn again, up to a bound. Kind before
 * target, so that split replication, which has one target, is as likely as a crash.
 */
export function generateSchedule(seed: number, limits: Partial<ScheduleLimits> = {}): Schedule {
  const l = resolveLimits(limits);
  const rng = mulberry32(seed);
  const wanted = rng.int(Math.min(1, l.maxFaults), l.maxFaults);
  const longest = Math.min(l.maxDurationSeconds, l.horizonSeconds);
  const faults: ScheduledFault[] = [];
  for (let attempt = 0; faults.length < wanted && attempt < wanted * ATTEMPTS_PER_FAULT; attempt++) {
    const kind = rng.pick(exploredKinds);
    const target = rng.pick(kind.targets);
    const durationSeconds = rng.int(l.minDurationSeconds, longest);
    const startSeconds = rng.int(0, l.horizonSeconds - durationSeconds);
    const candidate = { kind: kind.id, target, startSeconds, durationSeconds };
    if (fits(faults, candidate, l.maxConcurrent)) faults.push(candidate);
  }
  return { seed: seed >>> 0, faults: sortFaults(faults) };
}

/** `count` schedules from one seed; the same seed and limits give the same schedules, each regenerable from its own seed. */
export function generateSchedules(
  seed: number,
  count: number,
  limits: Partial<ScheduleLimits> = {},
): Schedule[] {
  if (!Number.isInteger(count) || count < 0) throw new Error(`count must be a whole number, not ${count}`);
  return Array.from({ length: count }, (_, i) => generateSchedule(deriveSeed(seed, i), limits));
}
