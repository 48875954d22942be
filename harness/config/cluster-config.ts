import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { NodeName } from "../topology/topology.ts";
import type { ProfileName } from "./profiles.ts";
import { renderTemplate } from "./render-template.ts";

/** The stack's own configuration for one profile, rendered and ready to copy into containers. */
export interface ClusterConfig {
  haproxy: string;
  mariadb: Record<NodeName, string>;
  prometheus: string;
  /** Rule files by name (promtool unit tests, `*.test.yml`, stay out of the running Prometheus). */
  rules: Record<string, string>;
  alertmanager: string;
}

export interface ConfigValues {
  webhookUrl: string;
}

export function loadClusterConfig(
  clusterDir: string,
  profile: ProfileName,
  values: ConfigValues,
): ClusterConfig {
  const dir = path.join(clusterDir, "config", profile);
  const read = (name: string) => readFileSync(path.join(dir, name), "utf8");
  const render = (name: string, v: Record<string, string | number>) =>
    renderTemplate(read(name), v, path.join(dir, name));
  const mariadbFor = (node: NodeName, n: number) =>
    render("mariadb.cnf", { serverId: n, autoIncrementOffset: n, nodeName: node });
  const rulesDir = path.join(dir, "rules");
  const rules: Record<string, string> = {};
  for (const f of readdirSync(rulesDir)) {
    if (f.endsWith(".yml") && !f.endsWith(".test.yml"))
      rules[f] = readFileSync(path.join(rulesDir, f), "utf8");
  }
  return {
    haproxy: render("haproxy.cfg", {}),
    mariadb: { node1: mariadbFor("node1", 1), node2: mariadbFor("node2", 2) },
    prometheus: render("prometheus.yml", {}),
    rules,
    alertmanager: render("alertmanager.yml", { webhookUrl: values.webhookUrl }),
  };
}
