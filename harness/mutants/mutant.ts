import type { ProfileName } from "../config/profiles.ts";
import type { Mutation } from "../config/mutation.ts";
import { refersTo } from "../drills/expectations.ts";
import type { Expectation } from "../store/drill-result.ts";

/** Where in the stack the operator's mistake is. */
export const layers = [
  "haproxy",
  "mariadb",
  "replication",
  "exporter",
  "app",
  "prometheus-rules",
  "alertmanager",
] as const;
export type Layer = (typeof layers)[number];

/**
 * A drill that must fail on the mutant, and the expectations (by id) of which at least one must
 * break: `failover`, `alert:ServerDown{server="node1"}`; `#part` names a part that must fail
 * (an alert's `fires`, `notified`, `resolves`; a checker's finding kind, `not-on-primary`), and `*`
 * stands for any run of characters in the id (`alert:*#resolves`). No pattern over prose decides.
 */
export interface ExpectedKill {
  drill: string;
  breaks: readonly string[];
}

/**
 * A realistic misconfiguration of one profile, with the drill(s) that must fail on it. Its mutation
 * is a text edit with an anchor: it throws when the anchor is gone, so a changed configuration can
 * never make a mutant silently stop mutating.
 */
export interface Mutant {
  id: string;
  title: string;
  layer: Layer;
  profile: ProfileName;
  /** The operator's mistake, in one sentence. */
  why: string;
  /** Builds the mutation from the stack's sources (`cluster/`); throws when an anchor is missing. */
  mutation(clusterDir: string): Mutation;
  drills: readonly ExpectedKill[];
  /**
   * Set when today's drills are not expected to kill it: the drill change it waits for. Such a
   * mutant is still run and reported as it fares; this only explains a survivor.
   */
  awaits?: string;
}

/** The first unmet expectation a kill names, as "expected: … — …", if any. */
export function matchingExpectation(
  expectations: readonly Expectation[],
  kill: ExpectedKill,
): string | undefined {
  const e = expectations.find((x) => !x.met && kill.breaks.some((ref) => refersTo(ref, x)));
  return e ? `expected: ${e.description}${e.detail ? ` — ${e.detail}` : ""}` : undefined;
}

/** How a kill's expectation ids are shown and stored. */
export const showKill = (kill: ExpectedKill): string => kill.breaks.join(" | ");
