import type { StartedTestContainer } from "testcontainers";
import type { ProfileName } from "../../config/profiles.ts";
import type { DbEndpoint, LabEndpoints, NodeEndpoints } from "../../lab/lab.ts";
import { serverNames, type NodeName } from "../../topology/topology.ts";
import { DATABASE, type Secrets } from "./lab-context.ts";

export function dbEndpoint(
  started: Map<string, StartedTestContainer>,
  node: NodeName,
  secrets: Secrets,
): DbEndpoint {
  const c = mustGet(started, `${node}-db`);
  return {
    host: "127.0.0.1",
    port: c.getMappedPort(3306),
    user: secrets.appUser,
    password: secrets.appPassword,
    rootPassword: secrets.dbRoot[node],
    database: DATABASE,
  };
}

export function mustGet(started: Map<string, StartedTestContainer>, alias: string): StartedTestContainer {
  const c = started.get(alias);
  if (!c) throw new Error(`internal: ${alias} was not started`);
  return c;
}

function url(started: Map<string, StartedTestContainer>, alias: string, port: number): string {
  return `http://127.0.0.1:${mustGet(started, alias).getMappedPort(port)}`;
}

export function endpointsOf(
  runId: string,
  profile: ProfileName,
  started: Map<string, StartedTestContainer>,
  dbs: Record<NodeName, DbEndpoint>,
  secrets: Secrets,
  grafana: { image: string } | { skipped: string },
): LabEndpoints {
  const node = (n: NodeName): NodeEndpoints => ({
    app: { url: url(started, `${n}-app`, 8000) },
    db: dbs[n],
    exporter: { url: url(started, `${n}-exporter`, 9104) },
  });
  const stats = url(started, "haproxy", 8404);
  return {
    runId,
    profile,
    haproxy: {
      url: url(started, "haproxy", 80),
      statsUrl: `${stats}/stats`,
      metricsUrl: `${stats}/metrics`,
      statsUser: secrets.stats.user,
      statsPassword: secrets.stats.password,
    },
    prometheus: { url: url(started, "prometheus", 9090) },
    alertmanager: { url: url(started, "alertmanager", 9093) },
    receiver: { url: url(started, "receiver", 9099) },
    grafana:
      "skipped" in grafana
        ? grafana
        : { url: url(started, "grafana", 3000), user: "admin", password: secrets.grafanaAdmin },
    nodes: { node1: node("node1"), node2: node("node2") },
    nodeExporters: Object.fromEntries(
      serverNames.map((s) => [s, { url: url(started, `${s}-node-exporter`, 9100) }]),
    ) as LabEndpoints["nodeExporters"],
  };
}
