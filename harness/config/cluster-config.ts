import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { NodeName } from "../topology/topology.ts";
import { profiles, type ProfileName } from "./profiles.ts";
import { renderTemplate } from "./render-template.ts";

/** The stack's own configuration for one profile, rendered and ready to copy into containers. */
export interface ClusterConfig {
  haproxy: string;
  mariadb: Record<NodeName, string>;
  prometheus: string;
  /**
   * Rule files by name: the profile's own and the harness's (the Watchdog, the same in every profile).
   * Their promtool unit tests, `*.test.yml`, stay out of the running Prometheus.
   */
  rules: Record<string, string>;
  alertmanager: string;
}

/**
 * The services a config file on control2 (HAProxy, Prometheus, Alertmanager) reaches on another
 * server, by placeholder: `host:port` of `alias` on `port`. On one engine that is the alias itself
 * (Docker's DNS); where each server runs its own engine the Ansible role fills in the server's
 * address and published port instead (Docker's DNS does not cross engines). Services on control2
 * itself stay written by alias in the files.
 */
export const addressPlaceholders = {
  node1App: { alias: "node1-app", port: 8000 },
  node2App: { alias: "node2-app", port: 8000 },
  node1Exporter: { alias: "node1-exporter", port: 9104 },
  node2Exporter: { alias: "node2-exporter", port: 9104 },
  control1NodeExporter: { alias: "control1-node-exporter", port: 9100 },
  node1NodeExporter: { alias: "node1-node-exporter", port: 9100 },
  node2NodeExporter: { alias: "node2-node-exporter", port: 9100 },
  receiver: { alias: "receiver", port: 9099 },
} as const;
export type AddressPlaceholder = keyof typeof addressPlaceholders;

/** Every address placeholder as the services find each other on one engine: `alias:port`. */
export function aliasAddresses(): Record<AddressPlaceholder, string> {
  return Object.fromEntries(
    Object.entries(addressPlaceholders).map(([name, a]) => [name, `${a.alias}:${a.port}`]),
  ) as Record<AddressPlaceholder, string>;
}

export interface ConfigValues {
  webhookUrl: string;
  /** Where control2's files reach the other servers' services; by alias (one engine) when left out. */
  addresses?: Record<AddressPlaceholder, string>;
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
    render("mariadb.cnf", {
      serverId: n,
      autoIncrementOffset: profiles[profile].autoIncrementOffset[node],
      nodeName: node,
    });
  const rules = loadRules([path.join(dir, "rules"), harnessRulesDir(clusterDir)]);
  const addresses = values.addresses ?? aliasAddresses();
  return {
    haproxy: render("haproxy.cfg", addresses),
    mariadb: { node1: mariadbFor("node1", 1), node2: mariadbFor("node2", 2) },
    prometheus: render("prometheus.yml", addresses),
    rules,
    alertmanager: render("alertmanager.yml", { webhookUrl: values.webhookUrl }),
  };
}

/**
 * Rules the harness owns and deploys beside every profile's own (the always-firing Watchdog that
 * proves the alert pipeline alive). One folder, so the two profiles cannot drift apart on it.
 */
export function harnessRulesDir(clusterDir: string): string {
  return path.join(clusterDir, "config", "harness", "rules");
}

/**
 * Prometheus loads one folder of rule files: two files of one name would silently replace each other.
 * A profile without a rules folder has no rules of its own (the seed: the original alerted on nothing).
 */
function loadRules(dirs: readonly string[]): Record<string, string> {
  const rules: Record<string, string> = {};
  const from: Record<string, string> = {};
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith(".yml") || f.endsWith(".test.yml")) continue;
      if (from[f] !== undefined)
        throw new Error(`rule file ${f} is in both ${from[f]} and ${dir}: rename one`);
      from[f] = dir;
      rules[f] = readFileSync(path.join(dir, f), "utf8");
    }
  }
  return rules;
}
