import type { Lab } from "../lab/lab.ts";

/** What a fault needs of the machine or provider; a drill whose fault cannot run is skipped, not passed. */
export type Capability = "kill" | "pause" | "netadmin" | "netem";

/**
 * A fault is a value: a name, what it needs, how to inject it and how to heal it. `heal` is
 * idempotent: it may run after a failed inject, twice, or from a signal handler.
 */
export interface Fault {
  readonly name: string;
  readonly needs: readonly Capability[];
  inject(lab: Lab): Promise<void>;
  heal(lab: Lab): Promise<void>;
}

/** Thrown by `inject` when this machine cannot do what the fault needs; carries the reason for the report. */
export class FaultUnsupportedError extends Error {
  constructor(
    readonly fault: string,
    readonly reason: string,
  ) {
    super(`${fault}: ${reason}`);
    this.name = "FaultUnsupportedError";
  }
}
