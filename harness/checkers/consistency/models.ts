/**
 * The consistency models firedrill judges a history against, after Jepsen's map of them
 * (jepsen.io/consistency): each with the models it implies, so a model is ruled out when an anomaly
 * rules out any model it implies. Transactional models (Adya's) and single-object and session
 * models (Terry et al.) sit side by side; strict serializability implies both sides.
 */
export const MODELS = {
  "strict-serializable": {
    implies: ["serializable", "linearizable"],
    means: "transactions take effect in one order that respects real time",
  },
  serializable: {
    implies: ["repeatable-read", "snapshot-isolation"],
    means: "transactions take effect in some one order (not necessarily real time)",
  },
  "snapshot-isolation": {
    implies: ["read-committed"],
    means:
      "each transaction reads one snapshot and no two concurrent ones write the same object (no G-single)",
  },
  "repeatable-read": {
    implies: ["read-committed"],
    means: "no item a transaction read changes under it (no G2-item on single items)",
  },
  "read-committed": {
    implies: ["read-uncommitted"],
    means: "no read of an aborted or intermediate write, no cycle of writes and reads (no G1)",
  },
  "read-uncommitted": {
    implies: [],
    means: "no cycle of writes alone (no G0), and every value read was written",
  },
  linearizable: {
    implies: ["sequential"],
    means: "every operation takes effect at one instant between its call and its answer",
  },
  sequential: {
    implies: ["causal"],
    means: "one order of all operations that keeps each session's order",
  },
  causal: {
    implies: ["pram", "writes-follow-reads"],
    means: "whoever sees a write sees what caused it",
  },
  pram: {
    implies: ["read-your-writes", "monotonic-reads", "monotonic-writes"],
    means: "each session's writes are seen in the order it made them, and the session's guarantees hold",
  },
  "read-your-writes": { implies: [], means: "a session sees its own acknowledged writes" },
  "monotonic-reads": { implies: [], means: "a session never sees the data go back to an older state" },
  "monotonic-writes": { implies: [], means: "a session's writes take effect in the order it made them" },
  "writes-follow-reads": {
    implies: [],
    means: "a write made after reading something is seen only with what was read",
  },
} as const satisfies Record<string, { implies: readonly string[]; means: string }>;

export type Model = keyof typeof MODELS;
export const MODEL_NAMES = Object.keys(MODELS) as Model[];

/** Every model that implies `m` (itself included): ruling out `m` rules them all out. */
function strongerOrEqual(m: Model): Set<Model> {
  const out = new Set<Model>([m]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of MODEL_NAMES)
      if (!out.has(s) && (MODELS[s].implies as readonly Model[]).some((i) => out.has(i))) {
        out.add(s);
        grew = true;
      }
  }
  return out;
}

export interface ModelVerdict {
  /** Every model some anomaly rules out (with those implying it). */
  ruledOut: Model[];
  /** Every model no anomaly rules out. */
  consistentWith: Model[];
  /** The strongest of those: none of the models implying them is consistent. */
  strongest: Model[];
}

/** What a set of directly ruled-out models leaves: the ruled-out closure, the rest, its maxima. */
export function modelVerdict(direct: Iterable<Model>): ModelVerdict {
  const out = new Set<Model>();
  for (const m of direct) for (const s of strongerOrEqual(m)) out.add(s);
  const consistentWith = MODEL_NAMES.filter((m) => !out.has(m));
  const strongest = consistentWith.filter(
    (m) => !MODEL_NAMES.some((s) => !out.has(s) && (MODELS[s].implies as readonly Model[]).includes(m)),
  );
  return { ruledOut: MODEL_NAMES.filter((m) => out.has(m)), consistentWith, strongest };
}

/** "consistent with read-your-writes and monotonic writes; not with monotonic reads, sequential or linearizable" */
export function describeModels(v: ModelVerdict): string {
  const list = (ms: readonly string[]) =>
    ms.length <= 1 ? (ms[0] ?? "none") : `${ms.slice(0, -1).join(", ")} and ${ms[ms.length - 1]}`;
  if (v.ruledOut.length === 0) return "consistent with every model checked (strict serializable included)";
  // The weakest models ruled out say it all: every model above them is ruled out too.
  return `consistent with ${list(v.strongest)}; not with ${list(minimalRuledOut(v.ruledOut))}`;
}

/** The weakest ruled-out models: those whose implied models are all still consistent. */
export function minimalRuledOut(ruledOut: readonly Model[]): Model[] {
  const out = new Set(ruledOut);
  return ruledOut.filter((m) => !(MODELS[m].implies as readonly Model[]).some((i) => out.has(i)));
}
