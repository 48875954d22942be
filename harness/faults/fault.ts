import type { Lab } from "../lab/lab.ts";

/**
 * What a fault needs of the lab: `kill` (crash or stop: kill containers, or power a server off),
 * `pause` (freeze), `netadmin` (nft and tc where the rules go: the netadmin helper image on a
 * single engine, the tools on each server), `netem` (the kernel's netem qdisc, for latency). The
 * lab's fault target says which it lacks and why (fault-target.ts `requireSupported`): a drill whose
 * fault cannot run is skipped with that reason, never passed.
 */
export type Capability = "kill" | "pause" | "netadmin" | "netem";

/**
 * What a fault must visibly do to the stack while it is active (node1 unreachable, replication
 * stalled, …). A fault that "succeeded" without it proves nothing: the drill fails with "fault had
 * no observable effect".
 */
export interface FaultEffect {
  /** The effect in words, as the report and the finding quote it. */
  readonly description: string;
  /**
   * A fresh look-out for one injection (it may remember earlier looks, e.g. a replica's position).
   * Each call looks once, bounded in time: the evidence when the effect is seen, undefined when it
   * is not (yet). Called from the inject until seen, and once more just before the heal.
   */
  watch(lab: Lab): () => Promise<string | undefined>;
}

/**
 * A fault is a value: a name, what it needs, how to inject it and how to heal it. `heal` is
 * idempotent: it may run after a failed inject, twice, or from a signal handler.
 */
export interface Fault {
  readonly name: string;
  readonly needs: readonly Capability[];
  /** What the fault must be seen doing; every fault a drill injects has one. */
  readonly effect?: FaultEffect;
  inject(lab: Lab): Promise<void>;
  heal(lab: Lab): Promise<void>;
}

/**
 * Thrown when this lab cannot do what the fault needs (by `requireSupported` before the load and
 * again before the inject, or by `inject` itself); carries the reason for the report.
 */
export class FaultUnsupportedError extends Error {
  constructor(
    readonly fault: string,
    readonly reason: string,
  ) {
    super(`${fault}: ${reason}`);
    this.name = "FaultUnsupportedError";
  }
}
