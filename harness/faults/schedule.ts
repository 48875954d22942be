import { z } from "zod";
import { describeIssues } from "../util/zod-issues.ts";
import type { Fault } from "./fault.ts";
import { faultKinds, findKind, kindOf } from "./fault-kinds.ts";

/**
 * One fault of a schedule: which, on what, and when, in whole seconds from the schedule's start.
 * Whole seconds because a drill's clock is no finer than that in practice, and because the shrinker
 * then always ends (a duration can only be shortened so many times).
 */
export interface ScheduledFault {
  /** A fault kind's id (fault-kinds.ts). */
  kind: string;
  /** One of the kind's targets; null for a fault without a target (split replication). */
  target: string | null;
  /** The kind's parameters, for a kind that takes some (a loss's percent); absent otherwise. */
  params?: Record<string, unknown>;
  startSeconds: number;
  durationSeconds: number;
}

/** A fault schedule, plain JSON: `seed` regenerates it (generate.ts `generateSchedule`). */
export interface Schedule {
  seed: number;
  faults: ScheduledFault[];
}

const kindList = () => faultKinds.map((k) => k.id).join(", ");
const shownTarget = (t: string | null) => (t === null ? "null" : `"${t}"`);

const wholeSeconds = (what: string) =>
  z.number({ error: `${what} must be a number of seconds` }).int(`${what} must be whole seconds`);

export const ScheduledFaultSchema = z
  .strictObject({
    kind: z.string({ error: "kind must be a fault kind's name" }),
    target: z.string().nullable(),
    params: z.record(z.string(), z.unknown()).optional(),
    startSeconds: wholeSeconds("startSeconds").min(0, "startSeconds must be 0 or more"),
    durationSeconds: wholeSeconds("durationSeconds").min(1, "durationSeconds must be at least 1"),
  })
  // The kind, its target and its parameters are checked against the kind's own record, so a
  // message names what that kind accepts.
  .superRefine((f, ctx) => {
    const kind = findKind(f.kind);
    if (!kind) {
      ctx.addIssue({
        code: "custom",
        path: ["kind"],
        message: `unknown fault kind ${JSON.stringify(f.kind)}: expected one of ${kindList()}`,
      });
      return;
    }
    const allowed = kind.targets;
    if (!allowed.includes(f.target))
      ctx.addIssue({
        code: "custom",
        path: ["target"],
        message:
          allowed.length === 1 && allowed[0] === null
            ? `${f.kind} takes no target (null), not ${shownTarget(f.target)}`
            : `${f.kind} has no target ${shownTarget(f.target)}: expected one of ${allowed.join(", ")}`,
      });
    if (kind.params) {
      const p = kind.params.safeParse(f.params);
      if (!p.success)
        ctx.addIssue({ code: "custom", path: ["params"], message: `${f.kind}: ${describeIssues(p.error)}` });
    } else if (f.params !== undefined)
      ctx.addIssue({ code: "custom", path: ["params"], message: `${f.kind} takes no params` });
  });

export const ScheduleSchema = z.strictObject({
  seed: z
    .number({ error: "seed must be a number" })
    .int("seed must be an integer")
    .min(0, "seed must be an unsigned 32-bit integer")
    .max(2 ** 32 - 1, "seed must be an unsigned 32-bit integer"),
  faults: z.array(ScheduledFaultSchema, { error: "faults must be a list" }),
});

/** A schedule from untrusted JSON, or an Error saying in one line what is wrong and where. */
export function parseSchedule(input: unknown): Schedule {
  const r = ScheduleSchema.safeParse(input);
  if (!r.success) throw new Error(`not a fault schedule: ${describeIssues(r.error)}`);
  return r.data;
}

/** When a fault stops being active: it is active on [startSeconds, endSeconds). */
export const endSeconds = (f: ScheduledFault): number => f.startSeconds + f.durationSeconds;

/** Whether two faults are ever active at the same time. */
export const overlap = (a: ScheduledFault, b: ScheduledFault): boolean =>
  a.startSeconds < endSeconds(b) && b.startSeconds < endSeconds(a);

/** "crash node1 at 4 s for 8 s". */
export function describeFault(f: ScheduledFault): string {
  return `${faultName(f)} at ${f.startSeconds} s for ${f.durationSeconds} s`;
}

/** The real fault's name ("crash node1"), as the history, the report and the drills word it. */
export function faultName(f: Pick<ScheduledFault, "kind" | "target" | "params">): string {
  return kindOf(f.kind).name(f.target, f.params);
}

/** The real fault a scheduled one stands for: its kind's `build` with its target and parameters. */
export function toFault(f: Pick<ScheduledFault, "kind" | "target" | "params">): Fault {
  return kindOf(f.kind).build(f.target, f.params);
}

/** One short line per fault, in start order (the order of the schedule itself). */
export function describeSchedule(s: Schedule): string[] {
  return s.faults.map(describeFault);
}

/**
 * The one order a schedule's faults are kept in: by start, then by kind and target, so two schedules
 * with the same faults are equal as JSON and a shrinker's candidates can be compared by their text.
 */
export function sortFaults(faults: readonly ScheduledFault[]): ScheduledFault[] {
  const key = (f: ScheduledFault) => `${f.kind} ${f.target ?? ""}`;
  return [...faults].sort(
    (a, b) =>
      a.startSeconds - b.startSeconds ||
      (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) ||
      a.durationSeconds - b.durationSeconds,
  );
}
