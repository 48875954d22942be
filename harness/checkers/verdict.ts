/** A checker's answer, Jepsen-style: valid true, false, or unknown (it could not tell); worst wins. */
export type Validity = true | false | "unknown";

export interface Finding {
  kind: string;
  message: string;
  evidence?: unknown;
}

export interface Verdict {
  checker: string;
  valid: Validity;
  findings: Finding[];
  figures: Record<string, number | null>;
}

const rank = (v: Validity) => (v === false ? 2 : v === "unknown" ? 1 : 0);

export function worst(validities: readonly Validity[]): Validity {
  return validities.reduce<Validity>((w, v) => (rank(v) > rank(w) ? v : w), true);
}

/** A checker that throws has not shown the history valid: its verdict is unknown, with the reason. */
export function safely(checker: string, run: () => Verdict): Verdict {
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
