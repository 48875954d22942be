import { nodeNames, serverNames, service, type ServerName } from "../topology/topology.ts";

/**
 * The faults an explored schedule may use, as plain data: a kind and a target, both strings, so a
 * schedule is JSON and can be saved, diffed and replayed. Each kind names one constructor of the
 * real catalogue (harness/faults/container-faults.ts, network-faults.ts) and its targets are the
 * arguments that constructor accepts in this topology; the words of `verb` are the real faults'
 * names ("crash node1", "kill node2-db", "partition node1 | node2"), so a schedule reads like a drill.
 */
export const faultKinds = [
  "crash-server",
  "freeze-server",
  "kill-service",
  "split-replication",
  "partition",
] as const;
export type FaultKind = (typeof faultKinds)[number];

// Partitions are both ways, so a pair is unordered: one spelling per pair, in topology order, keeps
// "node1|node2" and "node2|node1" from being two targets for one cut.
const serverPairs: string[] = serverNames.flatMap((a, i) => serverNames.slice(i + 1).map((b) => `${a}|${b}`));

// Only the services whose loss the stack is built to survive (a database, an app): killing HAProxy
// or Prometheus tests nothing but the obvious.
const killableServices: string[] = nodeNames.flatMap((n) => [`${n}-db`, `${n}-app`]);
for (const alias of killableServices) service(alias); // throws if the topology ever renames them

/** Each kind's targets; `null` alone for a fault that has none (split replication cuts one link). */
export const targetsOf: Readonly<Record<FaultKind, readonly (string | null)[]>> = {
  "crash-server": nodeNames,
  "freeze-server": nodeNames,
  "kill-service": killableServices,
  "split-replication": [null],
  partition: serverPairs,
};

/** The real fault's name for a kind and target, as the report and the drills word it. */
export function faultName(kind: FaultKind, target: string | null): string {
  switch (kind) {
    case "crash-server":
      return `crash ${target}`;
    case "freeze-server":
      return `freeze ${target}`;
    case "kill-service":
      return `kill ${target}`;
    case "split-replication":
      return "split replication";
    case "partition":
      return `partition ${target?.replace("|", " | ")}`;
  }
}

/** The server a target is, or runs on; undefined for links (partitions, replication). */
function serverOf(kind: FaultKind, target: string | null): ServerName | undefined {
  if (kind === "crash-server" || kind === "freeze-server") return target as ServerName;
  if (kind === "kill-service" && target !== null) return service(target).server;
  return undefined;
}

/**
 * Whether two faults act on the same thing, so that they must never be active together: the same
 * target, or a server and a service on it (killing node1-db while node1 is crashed acts on nothing,
 * and its heal would start a container on a server that is down). Links are their own targets: a
 * partition may overlap a crash of one of its ends, which is a real and interesting schedule.
 */
export function sameTarget(
  a: { kind: FaultKind; target: string | null },
  b: { kind: FaultKind; target: string | null },
): boolean {
  const keyA = a.target ?? a.kind;
  const keyB = b.target ?? b.kind;
  if (keyA === keyB) return true;
  const wholeServer = (f: typeof a) => f.kind === "crash-server" || f.kind === "freeze-server";
  if (wholeServer(a) && !wholeServer(b)) return serverOf(b.kind, b.target) === a.target;
  if (wholeServer(b) && !wholeServer(a)) return serverOf(a.kind, a.target) === b.target;
  return false;
}
