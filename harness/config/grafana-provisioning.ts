import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";

/**
 * Grafana cannot run on every machine (no image here), so its provisioning is checked without it:
 * each file against a strict schema of the fields Grafana reads, then the cross-references Grafana
 * would only complain about at start (or worse, silently): every rule's data source and condition
 * exist, every policy's contact point exists, every dashboard panel's data source exists, and every
 * Prometheus alert has a Grafana twin with the same expression.
 */
const datasources = z.strictObject({
  apiVersion: z.literal(1),
  datasources: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        uid: z.string().min(1),
        type: z.enum(["prometheus", "alertmanager"]),
        access: z.literal("proxy"),
        url: z.string().url(),
        isDefault: z.boolean().optional(),
        jsonData: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .min(1),
});

const query = z.strictObject({
  refId: z.string(),
  relativeTimeRange: z.strictObject({ from: z.number(), to: z.number() }).optional(),
  datasourceUid: z.string(),
  model: z.looseObject({ refId: z.string() }),
});

const alertRules = z.strictObject({
  apiVersion: z.literal(1),
  groups: z.array(
    z.strictObject({
      orgId: z.number(),
      name: z.string(),
      folder: z.string(),
      interval: z.string().regex(/^\d+[smh]$/),
      rules: z.array(
        z.strictObject({
          uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
          title: z.string(),
          condition: z.string(),
          data: z.array(query).min(1),
          noDataState: z.enum(["OK", "NoData", "Alerting"]),
          execErrState: z.enum(["OK", "Error", "Alerting"]),
          for: z.string().regex(/^\d+[smh]$/),
          labels: z.record(z.string(), z.string()),
          annotations: z.strictObject({ summary: z.string(), description: z.string() }),
        }),
      ),
    }),
  ),
});

const notifications = z.strictObject({
  apiVersion: z.literal(1),
  contactPoints: z.array(
    z.strictObject({
      orgId: z.number(),
      name: z.string(),
      receivers: z.array(
        z.strictObject({
          uid: z.string(),
          type: z.literal("webhook"),
          settings: z.strictObject({ url: z.string().url(), httpMethod: z.literal("POST") }),
          disableResolveMessage: z.boolean(),
        }),
      ),
    }),
  ),
  policies: z.array(
    z.strictObject({
      orgId: z.number(),
      receiver: z.string(),
      group_by: z.array(z.string()),
      group_wait: z.string(),
      group_interval: z.string(),
      repeat_interval: z.string(),
    }),
  ),
});

const dashboardProviders = z.strictObject({
  apiVersion: z.literal(1),
  providers: z.array(
    z.strictObject({
      name: z.string(),
      folder: z.string(),
      type: z.literal("file"),
      disableDeletion: z.boolean(),
      allowUiUpdates: z.boolean(),
      options: z.strictObject({ path: z.string() }),
    }),
  ),
});

const ref = z.looseObject({ type: z.string(), uid: z.string() });
const dashboard = z.looseObject({
  uid: z.string(),
  title: z.string(),
  annotations: z.looseObject({ list: z.array(z.looseObject({ name: z.string(), datasource: ref })) }),
  panels: z.array(
    z.looseObject({
      id: z.number(),
      title: z.string(),
      datasource: ref,
      targets: z.array(z.looseObject({ refId: z.string(), expr: z.string().min(1) })).min(1),
    }),
  ),
});

export interface GrafanaProvisioning {
  datasources: z.infer<typeof datasources>;
  alertRules: z.infer<typeof alertRules>;
  notifications: z.infer<typeof notifications>;
  dashboardProviders: z.infer<typeof dashboardProviders>;
  dashboards: Record<string, z.infer<typeof dashboard>>;
}

/** Raw documents (parsed YAML/JSON) by role; `loadGrafanaFiles` reads them from `cluster/grafana`. */
export interface GrafanaDocuments {
  datasources: unknown;
  alertRules: unknown;
  notifications: unknown;
  dashboardProviders: unknown;
  dashboards: Record<string, unknown>;
}

export function loadGrafanaFiles(clusterDir: string): GrafanaDocuments {
  const dir = path.join(clusterDir, "grafana");
  const yml = (rel: string) => parse(readFileSync(path.join(dir, "provisioning", rel), "utf8")) as unknown;
  return {
    datasources: yml("datasources/datasources.yml"),
    alertRules: yml("alerting/rules.yml"),
    notifications: yml("alerting/notifications.yml"),
    dashboardProviders: yml("dashboards/dashboards.yml"),
    dashboards: {
      "stack.json": JSON.parse(readFileSync(path.join(dir, "dashboards", "stack.json"), "utf8")) as unknown,
    },
  };
}

/** Every problem found, one line each; empty when the provisioning is sound. */
export function checkGrafanaProvisioning(
  docs: GrafanaDocuments,
  prometheusRules: { alert: string; expr: string }[],
): string[] {
  const problems: string[] = [];
  const parsed = <T>(what: string, schema: z.ZodType<T>, doc: unknown): T | undefined => {
    const r = schema.safeParse(doc);
    if (!r.success) {
      for (const i of r.error.issues) problems.push(`${what}: ${i.path.join(".") || "(root)"}: ${i.message}`);
      return undefined;
    }
    return r.data;
  };
  const ds = parsed("datasources.yml", datasources, docs.datasources);
  const rules = parsed("alerting/rules.yml", alertRules, docs.alertRules);
  const notes = parsed("alerting/notifications.yml", notifications, docs.notifications);
  parsed("dashboards/dashboards.yml", dashboardProviders, docs.dashboardProviders);
  const boards = Object.entries(docs.dashboards).map(
    ([name, d]) => [name, parsed(`dashboards/${name}`, dashboard, d)] as const,
  );

  const dsUids = new Set((ds?.datasources ?? []).map((d) => d.uid));
  for (const g of rules?.groups ?? []) {
    for (const r of g.rules) {
      const refIds = new Set(r.data.map((d) => d.refId));
      if (!refIds.has(r.condition))
        problems.push(`rule ${r.title}: condition ${r.condition} is not one of its queries`);
      for (const d of r.data) {
        if (d.datasourceUid !== "__expr__" && !dsUids.has(d.datasourceUid))
          problems.push(`rule ${r.title}: query ${d.refId} uses unknown data source "${d.datasourceUid}"`);
      }
    }
  }
  const twins = new Map((rules?.groups ?? []).flatMap((g) => g.rules.map((r) => [r.title, r] as const)));
  for (const p of prometheusRules) {
    const twin = twins.get(p.alert);
    if (!twin) {
      problems.push(`Prometheus alert ${p.alert} has no Grafana-managed twin`);
      continue;
    }
    const expr = (twin.data.find((d) => d.datasourceUid !== "__expr__")?.model as { expr?: string }).expr;
    if (expr?.trim() !== p.expr.trim())
      problems.push(`Grafana rule ${p.alert} queries "${expr}", Prometheus' rule "${p.expr.trim()}"`);
  }
  const contactPoints = new Set((notes?.contactPoints ?? []).map((c) => c.name));
  for (const p of notes?.policies ?? []) {
    if (!contactPoints.has(p.receiver))
      problems.push(`notification policy sends to unknown contact point "${p.receiver}"`);
  }
  for (const c of notes?.contactPoints ?? []) {
    for (const r of c.receivers) {
      if (!/^http:\/\/receiver:9099\/hook\/grafana$/.test(r.settings.url))
        problems.push(
          `contact point ${c.name}: webhook ${r.settings.url} is not firedrill's receiver (/hook/grafana)`,
        );
    }
  }
  for (const [name, b] of boards) {
    for (const p of b?.panels ?? []) {
      if (!dsUids.has(p.datasource.uid))
        problems.push(`dashboard ${name}: panel "${p.title}" uses unknown data source "${p.datasource.uid}"`);
    }
    for (const a of b?.annotations.list ?? []) {
      if (!dsUids.has(a.datasource.uid))
        problems.push(
          `dashboard ${name}: annotation "${a.name}" uses unknown data source "${a.datasource.uid}"`,
        );
    }
  }
  return problems;
}
