import type { z } from "zod";
import { describeIssues } from "../util/zod-issues.ts";
import type { AlertMatcher } from "../alerts/alert-key.ts";
import type { NodeName, ServerName } from "../topology/topology.ts";
import type { Fault } from "./fault.ts";
import { hasShape } from "../util/has-shape.ts";

/** What a fault acts on: a whole server, one service, or a link between servers. */
export type FaultScope = "server" | "service" | "link";

/** What the simulated stack (explore's shrinker tests) takes down while the fault is on. */
export interface SimulatedEffect {
  /** Every service of the node gone (crashed or frozen). */
  server?: NodeName;
  /** Only the node's app. */
  app?: NodeName;
  /** Only the node's database. */
  db?: NodeName;
}

/**
 * One kind of fault as data (Jepsen's nemesis package): everything the harness needs to know of it,
 * in one record, so explore, the outage windows, alert coverage, the simulated stack and the report
 * look it up instead of switching on its name. One file of `faults/kinds/` each, its default export
 * (`defineFaultKind`), found by the registry (fault-kinds.ts): a new kind is that file and its test.
 */
export interface FaultKind {
  /** Its name in schedules and drills: "crash-server". */
  readonly id: string;
  /** What it does, one sentence (the README's table of kinds quotes it). */
  readonly summary: string;
  /** Whether it acts on a whole server, one service or a link (for a shaping fault, as its target says). */
  scope(target: string | null): FaultScope;
  /** Every target it takes in this topology, as plain strings; `[null]` for a kind without one. */
  readonly targets: readonly (string | null)[];
  /**
   * Its parameters beyond the target (a loss's percent, a delay's milliseconds), checked by a
   * schedule's schema; absent for a kind that takes none.
   */
  readonly params?: z.ZodType;
  /** The real fault's name for a target ("crash node1"): the history, the report and schedules word it so. */
  name(target: string | null, params?: unknown): string;
  /** The fault itself: its needs, observable effect, inject and heal. */
  build(target: string | null, params?: unknown): Fault;
  /**
   * The servers it touches: the server itself, or the one a service runs on, or a link's two ends.
   * Two faults touching one thing never overlap in a schedule; a link fault's effect may be hidden
   * by faults on its ends.
   */
  servers(target: string | null): ServerName[];
  /** The nodes it takes off HAProxy's request path while it is on: what explains failed requests. */
  takesOff(target: string | null): NodeName[];
  /**
   * The alerts the hardened stack must raise for it when it is alone for at least 10 s, as the
   * scripted drill that proves it shows; absent when no drill proves what it raises (not covered).
   */
  alerts?(target: string | null): AlertMatcher[];
  /** What it takes down in the simulated stack; absent when it takes nothing down there. */
  simulate?(target: string | null): SimulatedEffect;
  /**
   * Its place in explore's draw (the order is part of every seed's plan: new kinds go last);
   * absent when explore does not draw it.
   */
  readonly exploreOrder?: number;
}

export function defineFaultKind(kind: FaultKind): FaultKind {
  return kind;
}

export const isFaultKind = (value: unknown): value is FaultKind =>
  hasShape<FaultKind>(value, {
    string: ["id"],
    array: ["targets"],
    function: ["build", "name", "servers", "takesOff"],
  });

/** The target a kind that has targets was given; throws for null (a hand-built schedule may hold one). */
export function needTarget(kind: string, target: string | null): string {
  if (target === null) throw new Error(`${kind} needs a target, not null`);
  return target;
}

/** A kind's parameters, checked against its schema; throws one line naming the kind and what is wrong. */
export function paramsOf<T>(kind: string, schema: z.ZodType<T>, params: unknown): T {
  const r = schema.safeParse(params);
  if (!r.success) throw new Error(`${kind}: ${describeIssues(r.error)}`);
  return r.data;
}
