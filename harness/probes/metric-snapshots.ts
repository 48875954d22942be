import { request } from "undici";
import { describe } from "../util/errors.ts";
import type { MetricSnapshot } from "../store/environment.ts";

/** What the lab's Prometheus saw during a drill, saved as `metrics/prometheus.json` beside the history. */
export const SNAPSHOT_QUERIES = {
  up: "up",
  mysqlUp: "mysql_up",
  haproxyServerUp: 'haproxy_server_status{proxy="app", state="UP"}',
  haproxyActiveServers: 'haproxy_backend_active_servers{proxy="app"}',
  replicationIoRunning: "mysql_slave_status_slave_io_running",
  replicationSqlRunning: "mysql_slave_status_slave_sql_running",
  replicationLagSeconds: "mysql_slave_status_seconds_behind_master",
  alerts: "ALERTS",
  clientRequestsPerSecond: "sum by (outcome) (rate(firedrill_client_requests_total[5s]))",
  faultActive: "firedrill_fault_active",
} as const;

/** Range queries over [start, end]; a query that fails is saved with its error, not dropped. */
export async function snapshotMetrics(
  prometheusUrl: string,
  startMs: number,
  endMs: number,
): Promise<MetricSnapshot> {
  const stepSeconds = Math.max(1, Math.ceil((endMs - startMs) / 1000 / 2000));
  const snap: MetricSnapshot = {
    prometheus: prometheusUrl,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    stepSeconds,
    series: {},
  };
  for (const [name, query] of Object.entries(SNAPSHOT_QUERIES)) {
    const qs = new URLSearchParams({
      query,
      start: String(startMs / 1000),
      end: String(endMs / 1000),
      step: String(stepSeconds),
    });
    try {
      const res = await request(`${prometheusUrl}/api/v1/query_range?${qs}`, {
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      const body = (await res.body.json()) as {
        status: string;
        error?: string;
        data?: { result: { metric: Record<string, string>; values: [number, string][] }[] };
      };
      snap.series[name] =
        body.status === "success"
          ? { query, result: body.data?.result ?? [] }
          : { query, error: `${res.statusCode} ${body.error ?? ""}`.trim() };
    } catch (err) {
      snap.series[name] = { query, error: describe(err) };
    }
  }
  return snap;
}
