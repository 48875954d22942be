import { fileURLToPath } from "node:url";
import { discover } from "../util/discover.ts";
import { isFaultKind, type FaultKind } from "./fault-kind.ts";

/** Every fault kind, one file each in `kinds/` (its default export), by id. */
export const faultKinds: readonly FaultKind[] = await discover(
  fileURLToPath(new URL("./kinds/", import.meta.url)),
  "fault kind",
  isFaultKind,
);

/** The kinds explore draws, in the order it draws them (part of every seed's plan). */
export const exploredKinds: readonly FaultKind[] = faultKinds
  .filter((k) => k.exploreOrder !== undefined)
  .sort((a, b) => a.exploreOrder! - b.exploreOrder!);

/** The kind with this id, or undefined (an old report may name one this firedrill lacks). */
export function findKind(id: string): FaultKind | undefined {
  return faultKinds.find((k) => k.id === id);
}

/** The kind with this id; throws, listing the kinds, when there is none. */
export function kindOf(id: string): FaultKind {
  const k = findKind(id);
  if (!k) throw new Error(`unknown fault kind "${id}"; kinds: ${faultKinds.map((x) => x.id).join(", ")}`);
  return k;
}

/** A fault of a schedule, as far as what it is and what it acts on go. */
export interface KindAndTarget {
  kind: string;
  target: string | null;
}

/**
 * Whether two faults act on the same thing, so that they must never be active together: the same
 * target, or a server and a service on it (killing node1-db while node1 is crashed acts on nothing,
 * and its heal would start a container on a server that is down). Links are their own targets: a
 * partition may overlap a crash of one of its ends, which is a real and interesting schedule.
 */
export function sameTarget(a: KindAndTarget, b: KindAndTarget): boolean {
  if ((a.target ?? a.kind) === (b.target ?? b.kind)) return true;
  const ka = kindOf(a.kind);
  const kb = kindOf(b.kind);
  const serverHoldsService = (s: FaultKind, st: string | null, v: FaultKind, vt: string | null) =>
    s.scope(st) === "server" && v.scope(vt) === "service" && v.servers(vt)[0] === st;
  return serverHoldsService(ka, a.target, kb, b.target) || serverHoldsService(kb, b.target, ka, a.target);
}
