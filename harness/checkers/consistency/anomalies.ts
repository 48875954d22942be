import type { Model } from "./models.ts";

/**
 * Every anomaly the consistency checker finds: what it is, in one sentence, and the models it rules
 * out directly (the models implying those go with them, models.ts).
 *
 * Durability of acknowledged writes counts as part of every model, as Jepsen's reports count it:
 * firedrill's final reads come once the run is quiet and the replicas have caught up, from fresh
 * sessions, and a model that would explain a lost write by ordering such a read before it is one
 * nobody relies on. So a lost append, a final value no order explains and replicas ending apart
 * rule out every model (the weakest transactional one, read uncommitted, and sequential).
 */
export const ANOMALIES = {
  // List-append: the lists' elements (items, by id, in the app's order) read whole.
  "lost-append": {
    what: "an acknowledged append, or an element once read, is missing from the list's final read",
    rulesOut: ["read-uncommitted", "sequential"],
  },
  duplicate: {
    what: "an element appears twice in one read of a list",
    rulesOut: ["read-uncommitted", "sequential"],
  },
  "garbage-read": {
    what: "a read shows an element or a value that no write wrote (or wrote elsewhere)",
    rulesOut: ["read-uncommitted", "sequential"],
  },
  "incompatible-order": {
    what: "two reads of one list that are not one a prefix of the other: no single order of its appends explains both",
    rulesOut: ["read-uncommitted", "sequential"],
  },
  // Registers: each item's text (with its done flag), every value unique to its write.
  "lost-update": {
    what: "an acknowledged update overwritten by one that had finished before it began (an older value won)",
    rulesOut: ["linearizable"],
  },
  "impossible-final": {
    what: "an item's final value no valid order of its writes explains (its first value after an acknowledged edit)",
    rulesOut: ["read-uncommitted", "sequential"],
  },
  divergence: {
    what: "the replicas end with different values of one item",
    rulesOut: ["read-uncommitted", "sequential"],
  },
  // Real time.
  "stale-read": {
    what: "a read begun after a write was acknowledged does not see it (or sees a value older than it)",
    rulesOut: ["linearizable"],
  },
  // Session guarantees (Terry et al.): one session is one client process.
  "read-your-writes": {
    what: "a session does not see its own acknowledged write",
    rulesOut: ["read-your-writes"],
  },
  "monotonic-reads": {
    what: "a session sees the data go back: something it read is gone from a later read",
    rulesOut: ["monotonic-reads"],
  },
  "monotonic-writes": {
    what: "a session's two writes take effect out of its order",
    rulesOut: ["monotonic-writes"],
  },
  "writes-follow-reads": {
    what: "a write is seen without what its session had read before making it",
    rulesOut: ["writes-follow-reads"],
  },
  // Transactions (Adya; Elle's dependency graph of ww, wr and rw edges).
  G0: { what: "a cycle of write-write dependencies (dirty write)", rulesOut: ["read-uncommitted"] },
  G1a: { what: "aborted read: a read shows a write that failed", rulesOut: ["read-committed"] },
  G1b: {
    what: "intermediate read: a read shows a transaction's state before its last write to the object",
    rulesOut: ["read-committed"],
  },
  G1c: {
    what: "a cycle of write-write and write-read dependencies (circular information flow)",
    rulesOut: ["read-committed"],
  },
  "G-single": {
    what: "a cycle with exactly one read-write anti-dependency (read skew)",
    rulesOut: ["snapshot-isolation", "repeatable-read"],
  },
  "G2-item": {
    what: "a cycle with two or more read-write anti-dependencies (write skew)",
    rulesOut: ["repeatable-read"],
  },
} as const satisfies Record<string, { what: string; rulesOut: readonly Model[] }>;

export type AnomalyKind = keyof typeof ANOMALIES;
export const ANOMALY_KINDS = Object.keys(ANOMALIES) as AnomalyKind[];

/** One operation an anomaly involves, as the explanation shows it. */
export interface InvolvedOp {
  /** The operation's index in the history's operations (invoke order). */
  index: number;
  process: number;
  /** The operation and what it did: `append 17 to list 3`, `read list 3 → [15, 17]`. */
  what: string;
  /** ok, fail or info (info: unknown outcome, or never answered). */
  type: string;
  node?: string;
  /** History ms: when it was invoked and when its answer came (absent: none came). */
  invokedAt: number;
  completedAt?: number;
}

/** One edge of a dependency cycle: `from` must precede `to` because of `key` (ww, wr or rw). */
export interface CycleEdge {
  from: number;
  to: number;
  type: "ww" | "wr" | "rw";
  key: string;
}

/** One anomaly and its minimal explanation: the operations involved, and the cycle where there is one. */
export interface Anomaly {
  kind: AnomalyKind;
  /** One line: what happened, in the operations' words. */
  message: string;
  /** The object it is about: `list 3`, `item 17`. */
  key: string;
  ops: InvolvedOp[];
  cycle?: CycleEdge[];
  /** History ms the anomaly became visible (the read that shows it): the timeline marks it there. */
  at: number;
}
