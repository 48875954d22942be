import { request } from "undici";

export interface Target {
  labels: Record<string, string>;
  health: "up" | "down" | "unknown";
  lastError: string;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** One entry of `/api/v1/alerts`: a rule's alert that is pending or firing now. */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
  value: string;
}

/** A small client of Prometheus' HTTP API. */
export class PrometheusClient {
  constructor(readonly url: string) {}

  private async get<T>(path: string): Promise<T> {
    const res = await request(`${this.url}${path}`, { headersTimeout: 5000, bodyTimeout: 5000 });
    const body = (await res.body.json()) as { status: string; data: T; error?: string };
    if (res.statusCode !== 200 || body.status !== "success") {
      throw new Error(`Prometheus ${path}: ${res.statusCode} ${body.error ?? ""}`.trim());
    }
    return body.data;
  }

  async targets(): Promise<Target[]> {
    const data = await this.get<{ activeTargets: Target[] }>("/api/v1/targets?state=active");
    return data.activeTargets;
  }

  async alerts(): Promise<PrometheusAlert[]> {
    return (await this.get<{ alerts: PrometheusAlert[] }>("/api/v1/alerts")).alerts;
  }

  /**
   * Active alerts with the instant each entered its state: pending since `activeAt`, firing since
   * `activeAt + for` (the rule's duration). Read from /api/v1/rules, which carries both.
   */
  async activeAlerts(): Promise<
    { labels: Record<string, string>; state: "pending" | "firing"; sinceMs: number }[]
  > {
    const data = await this.get<{
      groups: { rules: { type: string; duration?: number; alerts?: PrometheusAlert[] }[] }[];
    }>("/api/v1/rules?type=alert");
    return data.groups.flatMap((g) =>
      g.rules.flatMap((r) =>
        (r.alerts ?? []).map((a) => {
          const active = Date.parse(a.activeAt);
          return {
            labels: a.labels,
            state: a.state,
            sinceMs: a.state === "firing" ? active + (r.duration ?? 0) * 1000 : active,
          };
        }),
      ),
    );
  }

  /** Names of the alerting rules Prometheus has loaded. */
  async alertRuleNames(): Promise<string[]> {
    const data = await this.get<{ groups: { rules: { name: string; type: string }[] }[] }>(
      "/api/v1/rules?type=alert",
    );
    return data.groups.flatMap((g) => g.rules.filter((r) => r.type === "alerting").map((r) => r.name));
  }

  async query(promql: string): Promise<Sample[]> {
    const data = await this.get<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
      `/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }
}
