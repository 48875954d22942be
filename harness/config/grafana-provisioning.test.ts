import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { resolveSettings } from "../settings/settings.ts";
import { checkGrafanaProvisioning, loadGrafanaFiles, type GrafanaDocuments } from "./grafana-provisioning.ts";

const { clusterDir } = resolveSettings();
const promRules = () => {
  const doc = parse(readFileSync(path.join(clusterDir, "config/hardened/rules/alerts.yml"), "utf8")) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return doc.groups.flatMap((g) => g.rules);
};
const docs = (): GrafanaDocuments => structuredClone(loadGrafanaFiles(clusterDir));
type Rules = {
  groups: { rules: { title: string; data: { datasourceUid: string; model: { expr?: string } }[] }[] }[];
};

describe("Grafana provisioning (validated without Grafana)", () => {
  it("is sound: schemas, data sources, contact points and one twin per Prometheus alert", () => {
    expect(checkGrafanaProvisioning(docs(), promRules())).toEqual([]);
  });

  it("catches a rule that queries an unknown data source (planted)", () => {
    const d = docs();
    (d.alertRules as Rules).groups[0]!.rules[0]!.data[0]!.datasourceUid = "no-such-ds";
    expect(checkGrafanaProvisioning(d, promRules())).toContainEqual(
      expect.stringContaining('unknown data source "no-such-ds"'),
    );
  });

  it("catches a policy whose contact point does not exist (planted)", () => {
    const d = docs();
    (d.notifications as { policies: { receiver: string }[] }).policies[0]!.receiver = "pagerduty";
    expect(checkGrafanaProvisioning(d, promRules())).toContainEqual(
      expect.stringContaining('unknown contact point "pagerduty"'),
    );
  });

  it("catches a Prometheus alert without a Grafana twin, and a twin that drifted (planted)", () => {
    const d = docs();
    const groups = (d.alertRules as Rules).groups;
    groups[0]!.rules.shift();
    groups[1]!.rules[0]!.data[0]!.model.expr = "vector(1)";
    const problems = checkGrafanaProvisioning(d, promRules());
    expect(problems.some((p) => p.includes("has no Grafana-managed twin"))).toBe(true);
    expect(problems.some((p) => p.includes('queries "vector(1)"'))).toBe(true);
  });

  it("catches a typo'd field (strict schema, planted) and a panel on an unknown data source", () => {
    const d = docs();
    (d.datasources as { datasources: Record<string, unknown>[] }).datasources[0]!.isDefualt = true;
    (d.dashboards["stack.json"] as { panels: { datasource: { uid: string } }[] }).panels[0]!.datasource.uid =
      "gone";
    const problems = checkGrafanaProvisioning(d, promRules());
    expect(problems.some((p) => p.startsWith("datasources.yml") && p.includes("isDefualt"))).toBe(true);
    expect(problems.some((p) => p.includes('unknown data source "gone"'))).toBe(true);
  });
});
