import { servicesOn, type ServerName } from "../topology/topology.ts";
import { dropTable } from "./net-scripts.ts";

/**
 * Jepsen's net protocol, the *what* of a network fault apart from the *how*: who drops whom, what is
 * shaped where. The two fault targets (container namespaces, server shells) turn the same value into
 * their own nft and tc scripts (`containerNetPlan` in container-net-plan.ts, `serverNetPlan` in
 * server-net-plan.ts), so each fault is written once.
 */
export type NetFault =
  | { kind: "partition"; a: ServerName; b: ServerName; direction: "both" | "one-way" }
  /** Only the databases of node1 and node2 stop reaching each other; apps and HAProxy are untouched. */
  | { kind: "split-replication" }
  | { kind: "loss"; on: Scope; percent: number }
  | { kind: "bandwidth"; on: Scope; kbitPerSecond: number }
  | { kind: "latency"; on: Scope; delayMs: number };

/** One service (its container's own interface), or a whole server (every service on it). */
export type Scope = { service: string } | { server: ServerName };

/** Where a script runs: one service's network namespace, or a server's root shell. */
export type Place = { service: string } | { server: ServerName };

export interface NetStep {
  at: Place;
  script: string;
  why: string;
}

/** The scripts of one network fault at one level: inject, and the idempotent heal. */
export interface NetPlan {
  inject: NetStep[];
  heal: NetStep[];
}

export const placeName = (p: Place) => ("service" in p ? p.service : p.server);

/** Every service of `server` that runs as a container (Grafana's slot may have no image). */
export const aliasesOn = (server: ServerName) =>
  servicesOn(server)
    .filter((s) => s.image !== undefined)
    .map((s) => s.alias);

/** The heal of nft rules: firedrill's table deleted at each place. */
export const nftHealAt = (places: Place[]): NetStep[] =>
  places.map((at) => ({ at, script: dropTable, why: `remove ${placeName(at)}'s firedrill rules` }));
