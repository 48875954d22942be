import { z } from "zod";
import { describeIssues } from "../util/zod-issues.ts";
import { sameTarget } from "../faults/fault-kinds.ts";
import { describeFault, endSeconds, overlap, type Schedule } from "../faults/schedule.ts";

/** The bounds every explored schedule keeps, the generator's and the shrinker's alike. */
export interface ScheduleLimits {
  maxFaults: number;
  /** How many faults may be active at one moment. */
  maxConcurrent: number;
  /** Every fault ends by then (a drill of this length heals everything before its checks). */
  horizonSeconds: number;
  minDurationSeconds: number;
  maxDurationSeconds: number;
}

/**
 * Defaults sized for a drill of about a minute: two faults at once is where the interesting
 * interactions are (a failover during a replication split), and more rarely adds anything a reader
 * of the shrunk schedule could follow. A fault shorter than 2 s can fall between two health checks.
 */
export const defaultLimits: ScheduleLimits = {
  maxFaults: 4,
  maxConcurrent: 2,
  horizonSeconds: 60,
  minDurationSeconds: 2,
  maxDurationSeconds: 20,
};

const count = (what: string, min: number) => z.number().int(`${what} must be whole`).min(min);

export const LimitsSchema = z
  .strictObject({
    maxFaults: count("maxFaults", 0),
    maxConcurrent: count("maxConcurrent", 1),
    horizonSeconds: count("horizonSeconds", 1),
    minDurationSeconds: count("minDurationSeconds", 1),
    maxDurationSeconds: count("maxDurationSeconds", 1),
  })
  .refine((l) => l.minDurationSeconds <= l.maxDurationSeconds, {
    message: "minDurationSeconds must not exceed maxDurationSeconds",
  })
  .refine((l) => l.minDurationSeconds <= l.horizonSeconds, {
    message: "minDurationSeconds must fit in horizonSeconds",
  });

/** The defaults with the caller's overrides, checked; throws a one-line Error when they make no sense. */
export function resolveLimits(overrides: Partial<ScheduleLimits> = {}): ScheduleLimits {
  const r = LimitsSchema.safeParse({ ...defaultLimits, ...overrides });
  if (!r.success) throw new Error(`schedule limits: ${describeIssues(r.error)}`);
  return r.data;
}

/** How many faults are active at `t`. */
export function activeAt(s: Schedule, t: number): number {
  return s.faults.filter((f) => f.startSeconds <= t && t < endSeconds(f)).length;
}

/**
 * Every way a (schema-valid) schedule breaks the limits, one line each; empty when it keeps them.
 * The most faults active at once is reached at some fault's start, so only starts are looked at.
 */
export function limitViolations(s: Schedule, limits: ScheduleLimits): string[] {
  const out: string[] = [];
  if (s.faults.length > limits.maxFaults)
    out.push(`${s.faults.length} faults, more than maxFaults ${limits.maxFaults}`);
  s.faults.forEach((f, i) => {
    const what = `fault ${i} (${describeFault(f)})`;
    if (f.durationSeconds < limits.minDurationSeconds)
      out.push(`${what} is shorter than minDurationSeconds ${limits.minDurationSeconds}`);
    if (f.durationSeconds > limits.maxDurationSeconds)
      out.push(`${what} is longer than maxDurationSeconds ${limits.maxDurationSeconds}`);
    if (endSeconds(f) > limits.horizonSeconds)
      out.push(`${what} ends after horizonSeconds ${limits.horizonSeconds}`);
    s.faults.forEach((g, j) => {
      if (j > i && overlap(f, g) && sameTarget(f, g))
        out.push(`${what} and fault ${j} (${describeFault(g)}) act on the same target at once`);
    });
  });
  for (const t of new Set(s.faults.map((f) => f.startSeconds))) {
    const n = activeAt(s, t);
    if (n > limits.maxConcurrent)
      out.push(`${n} faults active at ${t} s, more than maxConcurrent ${limits.maxConcurrent}`);
  }
  return out;
}
