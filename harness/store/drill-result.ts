import { z } from "zod";

// result.json: what one drill in one profile showed. These schemas are the only definitions of what
// is written; the types below are inferred from them, so a field changes in one place.

const Figures = z.record(z.string(), z.number().nullable());

/**
 * A drill's verdict: `interrupted` when the run ended (killed, cancelled, crashed) before the drill
 * wrote its result, so it has no verdict of its own; like skipped, never counted as passed. Not a
 * checker's answer (that is a CheckResult, check-result.ts).
 */
export const DrillVerdictSchema = z.enum(["pass", "fail", "skipped", "interrupted"]);
export type DrillVerdict = z.infer<typeof DrillVerdictSchema>;

/** What a drill expected of its profile, and whether it was met. */
export const ExpectationSchema = z.object({
  /**
   * The expectation's stable id (e.g. `failover`, `alert:ServerDown{server="node1"}`): mutants name
   * the ids they must break. Absent in results written before ids existed.
   */
  id: z.string().optional(),
  description: z.string(),
  met: z.boolean(),
  detail: z.string().optional(),
  /** The parts of a composite expectation that failed (an alert's `fires`, `notified`, `resolves`). */
  failed: z.array(z.string()).optional(),
});
export type Expectation = z.infer<typeof ExpectationSchema>;

/** One alert a drill asserted: when it fired, was notified and resolved. */
export const AlertResultSchema = z.object({
  alert: z.string(),
  labels: z.record(z.string(), z.string()),
  source: z.enum(["prometheus", "grafana"]),
  /** "fires" (and resolves after heal, unless stays-firing) or "quiet" (must not fire). */
  expect: z.enum(["fires", "fires-and-stays", "quiet"]),
  /** Fault injected → alert firing in Prometheus (or Grafana). */
  detectSeconds: z.number().nullable(),
  /** Fault injected → firing notification received by the webhook receiver. */
  notifySeconds: z.number().nullable(),
  /** Heal → resolved notification received. */
  resolveSeconds: z.number().nullable(),
  met: z.boolean(),
  detail: z.string().optional(),
  /** Set when this source cannot run here (Grafana without its image): never counted as passed. */
  skipped: z.string().optional(),
});
export type AlertResult = z.infer<typeof AlertResultSchema>;

/**
 * What the consistency checker concluded of a drill's history: the anomalies found, by kind, and
 * the consistency models the history is (still) consistent with. Its examples, each with its
 * explanation, are in findings.json (the consistency checker's findings' evidence).
 */
export const ConsistencySummarySchema = z.object({
  anomalies: z.record(z.string(), z.number()),
  consistentWith: z.array(z.string()),
  /** The strongest models still consistent: none of the models implying them is. */
  strongest: z.array(z.string()),
  ruledOut: z.array(z.string()),
  /** One sentence: "consistent with read-committed and linearizable; not with snapshot-isolation". */
  models: z.string(),
});
export type ConsistencySummary = z.infer<typeof ConsistencySummarySchema>;

/** One line of `summary.json`: a drill in one profile, with its key figures. */
export const DrillResultSchema = z.object({
  drill: z.string(),
  /** The profile, or `<profile>+<mutant>` for a mutant's drill (its folder says the same). */
  profile: z.string(),
  verdict: DrillVerdictSchema,
  reason: z.string().optional(),
  /** The drill's title and what it expected of this profile, as it ran (the report needs no registry). */
  title: z.string().optional(),
  expects: z.string().optional(),
  figures: Figures,
  findings: z.array(z.string()),
  expectations: z.array(ExpectationSchema).optional(),
  alerts: z.array(AlertResultSchema).optional(),
  /** On a mutant's drill (`firedrill mutants`): the mutant it ran against. */
  mutant: z.string().optional(),
  /** The anomalies of its history and the models it is consistent with (absent: not checked). */
  consistency: ConsistencySummarySchema.optional(),
});
export type DrillResult = z.infer<typeof DrillResultSchema>;

export { Figures as FiguresSchema };
