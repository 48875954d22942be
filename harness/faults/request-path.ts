import { nodeNames, service, type NodeName } from "../topology/topology.ts";

// HAProxy → a node's app → that node's database: the request path. What a fault takes off it
// explains failed requests (explore's outage windows); anything else, a cut between the nodes or a
// fault on control1 (Grafana, the receiver), serves no request.

const isNode = (s: string | null | undefined): s is NodeName =>
  (nodeNames as readonly string[]).includes(s ?? "");

/** HAProxy's server: everything behind it is cut off with it. */
const haproxyServer = () => service("haproxy").server;

/** A server down (crashed, frozen): its node, or every node when it is HAProxy's. */
export function offPathWithServer(server: string | null): NodeName[] {
  if (server === haproxyServer()) return [...nodeNames];
  return isNode(server) ? [server] : [];
}

/** A service down: its node when it is a node's app or database. */
export function offPathWithService(alias: string | null): NodeName[] {
  const s = service(alias ?? "");
  return (s.kind === "app" || s.kind === "db") && isNode(s.server) ? [s.server] : [];
}

/** A link cut between two servers: the node on the far side when one end is HAProxy's server. */
export function offPathWithLink(a: string, b: string): NodeName[] {
  const ends = [a, b];
  const other = ends.find((e) => e !== haproxyServer());
  return ends.includes(haproxyServer()) && isNode(other) ? [other] : [];
}
