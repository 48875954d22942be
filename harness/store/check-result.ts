import { z } from "zod";
import { ExpectationSchema, AlertResultSchema, FiguresSchema } from "./drill-result.ts";

// findings.json: what every checker concluded, the checkers and their options, the figures and the
// expectations. The checker's answer is a CheckResult (Jepsen's `valid?`), not a drill's verdict.

/** A checker's answer: valid true, false, or unknown (it could not tell); worst wins. */
export const ValiditySchema = z.union([z.boolean(), z.literal("unknown")]);
export type Validity = z.infer<typeof ValiditySchema>;

export const FindingSchema = z.object({
  kind: z.string(),
  message: z.string(),
  /** Free-form, each checker its own: the operations or rows that prove the finding. */
  evidence: z.unknown().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

/**
 * The consistency models a history is consistent with, and those it rules out (the consistency
 * checker's; names as in checkers/consistency/models.ts).
 */
export const ModelVerdictSchema = z.object({
  ruledOut: z.array(z.string()),
  consistentWith: z.array(z.string()),
  /** The strongest models still consistent: none of the models implying them is. */
  strongest: z.array(z.string()),
});
export type ModelVerdictData = z.infer<typeof ModelVerdictSchema>;

export const CheckResultSchema = z.object({
  checker: z.string(),
  valid: ValiditySchema,
  findings: z.array(FindingSchema),
  figures: FiguresSchema,
  /** Where the checker judges consistency models: which the history is consistent with. */
  models: ModelVerdictSchema.optional(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/**
 * A checker and its options as saved: `firedrill report` re-runs exactly these. The id and options
 * are checked by the checker registry when re-run (an unknown id or bad options make that checker
 * `unknown`, said in the report), so this file never lists the checkers.
 */
export const SavedCheckerSpecSchema = z.object({
  id: z.string(),
  /** Tells two of one kind apart (steady state before and after). */
  name: z.string().optional(),
  options: z.unknown().optional(),
});
export type SavedCheckerSpec = z.infer<typeof SavedCheckerSpecSchema>;

/** A checker whose `unknown` a drill accepts, and why; any other `unknown` fails it. */
export const WaiverSchema = z.object({ checker: z.string(), reason: z.string() });
export type Waiver = z.infer<typeof WaiverSchema>;

export const SavedFindingsSchema = z.object({
  verdicts: z.array(CheckResultSchema),
  figures: FiguresSchema,
  expectations: z.array(ExpectationSchema),
  alerts: z.array(AlertResultSchema).optional(),
  checkers: z.array(SavedCheckerSpecSchema).optional(),
  waivers: z.array(WaiverSchema).optional(),
});
export type SavedFindings = z.infer<typeof SavedFindingsSchema>;
