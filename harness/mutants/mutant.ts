import type { ProfileName } from "../config/profiles.ts";
import type { Mutation } from "./mutation.ts";

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

/** A drill that must fail on the mutant, and what its findings must say when it does. */
export interface ExpectedKill {
  drill: string;
  /** A substring of one of the failed drill's findings, or a pattern one of them matches. */
  finding: string | RegExp;
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

/** The first finding that shows the expected kill, if any. */
export function matchingFinding(findings: readonly string[], expected: string | RegExp): string | undefined {
  return findings.find((f) => (typeof expected === "string" ? f.includes(expected) : expected.test(f)));
}

/** How a finding pattern is shown and stored (JSON has no regular expressions). */
export function showFinding(f: string | RegExp): string {
  return typeof f === "string" ? f : String(f);
}
