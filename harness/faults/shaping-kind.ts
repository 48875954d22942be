import type { z } from "zod";
import type { Fault } from "./fault.ts";
import { defineFaultKind, needTarget, paramsOf, type FaultKind } from "./fault-kind.ts";
import { shapedServer, shapingScope, shapingTakesOff, shapingTargets } from "./shaping-targets.ts";

/** A shaping fault kind as its file says it: its name and its fault from a target and checked parameters. */
export interface ShapingKind<P> {
  readonly id: string;
  readonly summary: string;
  readonly params: z.ZodType<P>;
  name(on: string, params: P): string;
  build(on: string, params: P): Fault;
}

/**
 * The record of a fault kind that shapes traffic (loss, bandwidth, latency): its target is one
 * service or a whole server (shaping-targets.ts), and its parameters are checked against its schema
 * before they are used, so a bad one fails in one line naming the kind.
 */
export function shapingKind<P>(kind: ShapingKind<P>): FaultKind {
  const on = (t: string | null) => needTarget(kind.id, t);
  const params = (p: unknown) => paramsOf(kind.id, kind.params, p);
  return defineFaultKind({
    id: kind.id,
    summary: kind.summary,
    scope: shapingScope,
    targets: shapingTargets,
    params: kind.params,
    name: (t, p) => kind.name(on(t), params(p)),
    build: (t, p) => kind.build(on(t), params(p)),
    servers: shapedServer,
    takesOff: shapingTakesOff,
  });
}
