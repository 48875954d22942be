import type { CheckResult, Validity } from "../store/check-result.ts";

const rank = (v: Validity) => (v === false ? 2 : v === "unknown" ? 1 : 0);

/** Jepsen's rule for several answers: false over unknown over true. */
export function worst(validities: readonly Validity[]): Validity {
  return validities.reduce<Validity>((w, v) => (rank(v) > rank(w) ? v : w), true);
}

/** A checker that throws has not shown the history valid: its result is unknown, with the reason. */
export function safely(checker: string, run: () => CheckResult): CheckResult {
  try {
    return run();
  } catch (err) {
    return {
      checker,
      valid: "unknown",
      findings: [{ kind: "checker-crashed", message: (err as Error).message }],
      figures: {},
    };
  }
}
