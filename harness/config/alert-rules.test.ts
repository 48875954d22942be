import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { resolveSettings } from "../settings/settings.ts";
import { loadClusterConfig } from "./cluster-config.ts";

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface RuleTest {
  alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}

const { clusterDir } = resolveSettings();
const read = (profile: string, file: string) =>
  parse(readFileSync(path.join(clusterDir, "config", profile, "rules", file), "utf8")) as unknown;
const rulesOf = (profile: string) =>
  (read(profile, "alerts.yml") as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

// promtool runs the tests (harness/images/cluster-config.int.test.ts); these keep the rule set whole.
describe("alert rules as code", () => {
  it("hardened: every rule names the node (or host, or server) and has a severity", () => {
    for (const r of rulesOf("hardened")) {
      expect(r.labels.severity, r.alert).toMatch(/^(critical|warning)$/);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.description, r.alert).toMatch(/\$labels\.(node|host|server)|node1|node2|control2/);
    }
  });

  it("hardened: every rule has a promtool test where it fires and one where it does not", () => {
    const tests = (read("hardened", "alerts.test.yml") as { tests: RuleTest[] }).tests.flatMap(
      (t) => t.alert_rule_test,
    );
    for (const r of rulesOf("hardened")) {
      const mine = tests.filter((t) => t.alertname === r.alert);
      expect(
        mine.some((t) => t.exp_alerts.length > 0),
        `${r.alert} fires in a test`,
      ).toBe(true);
      expect(
        mine.some((t) => t.exp_alerts.length === 0),
        `${r.alert} stays quiet in a test`,
      ).toBe(true);
    }
  });

  it("seed: no alert rule of its own, as the original (only the harness's Watchdog is loaded)", () => {
    const dir = path.join(clusterDir, "config", "seed", "rules");
    const yml = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
    expect(yml).toEqual([]);
    const loaded = loadClusterConfig(clusterDir, "seed", { webhookUrl: "http://receiver:9099/" }).rules;
    expect(Object.keys(loaded)).toEqual(["watchdog.yml"]);
  });

  it("hardened waits at most 5 s (`for:`) on every failure mode, so firing comes ≤ 10 s after a fault", () => {
    const slow = rulesOf("hardened").filter(
      (r) => Number.parseInt(r.for, 10) > 5 && r.alert !== "ReplicationNotMonitored",
    );
    expect(slow.map((r) => `${r.alert} for ${r.for}`)).toEqual([]);
  });
});
