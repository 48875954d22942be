import { z } from "zod";

/**
 * The file `k6 run --summary-export <file>` writes (k6's legacy summary format, kept as it is by k6):
 * `metrics` maps a metric, or a sub-metric such as `http_req_duration{scenario:hold}`, to its values
 * — trends `avg, min, med, max, p(N)`; counters `count, rate`; rates `passes, fails, value`; gauges
 * `value, min, max` — plus `thresholds`: expression → **true when the threshold was crossed** (the
 * export's boolean is inverted, grafana/k6#1498). `root_group` holds the checks.
 */
const Values = z.record(z.string(), z.unknown());
const Check = z.object({ name: z.string(), passes: z.number(), fails: z.number() });
type Group = { checks?: unknown; groups?: unknown };
const Group: z.ZodType<Group> = z.object({ checks: z.unknown().optional(), groups: z.unknown().optional() });
export const K6SummaryExport = z.object({
  root_group: Group.optional(),
  metrics: z.record(z.string(), Values),
});

export interface K6Threshold {
  metric: string;
  expression: string;
  ok: boolean;
}

export interface K6Summary {
  /** Requests k6 made (`http_reqs`). */
  requests: number;
  /** Share of requests k6 counts as failed (no response, or status ≥ 400). */
  failedRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Arrivals k6 could not start because every VU was busy: load the lab did not serve. */
  droppedIterations: number;
  checks: { passes: number; fails: number };
  thresholds: K6Threshold[];
  /** A metric's or sub-metric's raw values, e.g. `metric("http_req_duration", { scenario: "hold" })`. */
  metric(name: string, tags?: Record<string, string>): Record<string, unknown> | undefined;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function metricKey(name: string, tags: Record<string, string> = {}): string {
  const t = Object.entries(tags).map(([k, v]) => `${k}:${v}`);
  return t.length ? `${name}{${t.join(",")}}` : name;
}

function collectChecks(group: Group | undefined, into: { passes: number; fails: number }): void {
  if (!group) return;
  // Keyed by name in the export; arrays in handleSummary's data. Either is read.
  const list = (v: unknown): unknown[] =>
    Array.isArray(v) ? v : v && typeof v === "object" ? Object.values(v) : [];
  for (const c of list(group.checks)) {
    const check = Check.safeParse(c);
    if (check.success) {
      into.passes += check.data.passes;
      into.fails += check.data.fails;
    }
  }
  for (const g of list(group.groups)) collectChecks(Group.parse(g), into);
}

/** Parses a summary export; throws with what is wrong when the text is not one. */
export function parseK6Summary(text: string): K6Summary {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`k6 summary export is not JSON: ${(err as Error).message}`);
  }
  const parsed = K6SummaryExport.safeParse(json);
  if (!parsed.success)
    throw new Error(`k6 summary export has no "metrics" object: ${parsed.error.issues[0]?.message ?? ""}`);
  const { metrics, root_group } = parsed.data;
  const thresholds: K6Threshold[] = [];
  for (const [metric, values] of Object.entries(metrics)) {
    const t = values.thresholds;
    if (!t || typeof t !== "object") continue;
    for (const [expression, crossed] of Object.entries(t))
      thresholds.push({ metric, expression, ok: crossed === false });
  }
  const duration = metrics.http_req_duration ?? {};
  const checks = { passes: 0, fails: 0 };
  collectChecks(root_group, checks);
  return {
    requests: num(metrics.http_reqs?.count) ?? 0,
    failedRate: num(metrics.http_req_failed?.value) ?? 0,
    p50Ms: num(duration.med),
    p95Ms: num(duration["p(95)"]),
    p99Ms: num(duration["p(99)"]),
    droppedIterations: num(metrics.dropped_iterations?.count) ?? 0,
    checks,
    thresholds,
    metric: (name, tags) => metrics[metricKey(name, tags)],
  };
}

/** Thresholds of one scenario's sub-metrics (`…{scenario:<name>}`), all met? */
export function scenarioMet(summary: K6Summary, scenario: string): boolean {
  const own = summary.thresholds.filter((t) => t.metric.endsWith(`{scenario:${scenario}}`));
  return own.length > 0 && own.every((t) => t.ok);
}
