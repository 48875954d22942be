/**
 * The one typed description of the lab: which servers exist and which services run on each.
 * Providers, faults and reports read it; nothing else hard-codes a container name or alias.
 */
export const serverNames = ["control1", "control2", "node1", "node2"] as const;
export type ServerName = (typeof serverNames)[number];

export const nodeNames = ["node1", "node2"] as const;
export type NodeName = (typeof nodeNames)[number];

export type ImageName =
  | "app"
  | "mariadb"
  | "haproxy"
  | "prometheus"
  | "alertmanager"
  | "mysqld-exporter"
  | "node-exporter"
  | "netadmin"
  | "receiver";

export type ServiceKind =
  | "app"
  | "db"
  | "exporter"
  | "node-exporter"
  | "haproxy"
  | "prometheus"
  | "alertmanager"
  | "grafana"
  | "receiver";

export interface ServiceSpec {
  readonly kind: ServiceKind;
  readonly server: ServerName;
  /** DNS name on the lab network; also the container's role label. */
  readonly alias: string;
  /** Undefined for a slot that no image on this machine can fill (Grafana). */
  readonly image: ImageName | undefined;
  /** Ports mapped to 127.0.0.1 on the host. */
  readonly ports: readonly number[];
}

function nodeServices(node: NodeName): ServiceSpec[] {
  return [
    { kind: "db", server: node, alias: `${node}-db`, image: "mariadb", ports: [3306] },
    { kind: "exporter", server: node, alias: `${node}-exporter`, image: "mysqld-exporter", ports: [9104] },
    { kind: "app", server: node, alias: `${node}-app`, image: "app", ports: [8000] },
  ];
}

/**
 * Node exporter on every server, as the original ran it: what watches the server itself (a server
 * that stops answering takes its node exporter with it).
 */
function nodeExporter(server: ServerName): ServiceSpec {
  return {
    kind: "node-exporter",
    server,
    alias: `${server}-node-exporter`,
    image: "node-exporter",
    ports: [9100],
  };
}

export const topology: readonly ServiceSpec[] = [
  // Grafana has a slot on control1 but no image here (no registry, not in Debian): see issue 4.
  { kind: "grafana", server: "control1", alias: "grafana", image: undefined, ports: [3000] },
  // firedrill's own webhook receiver (and relay of the harness's metrics), beside Grafana on control1.
  { kind: "receiver", server: "control1", alias: "receiver", image: "receiver", ports: [9099] },
  { kind: "haproxy", server: "control2", alias: "haproxy", image: "haproxy", ports: [80, 8404] },
  { kind: "prometheus", server: "control2", alias: "prometheus", image: "prometheus", ports: [9090] },
  { kind: "alertmanager", server: "control2", alias: "alertmanager", image: "alertmanager", ports: [9093] },
  ...nodeServices("node1"),
  ...nodeServices("node2"),
  ...serverNames.map(nodeExporter),
];

export function service(alias: string): ServiceSpec {
  const found = topology.find((s) => s.alias === alias);
  if (!found) throw new Error(`topology has no service "${alias}"`);
  return found;
}

export function servicesOn(server: ServerName): ServiceSpec[] {
  return topology.filter((s) => s.server === server);
}

/** Images the lab needs (plus netadmin, which faults use). */
export const labImages: readonly ImageName[] = [
  "mariadb",
  "mysqld-exporter",
  "node-exporter",
  "app",
  "haproxy",
  "prometheus",
  "alertmanager",
  "receiver",
  "netadmin",
];
