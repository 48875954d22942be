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

  async query(promql: string): Promise<Sample[]> {
    const data = await this.get<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
      `/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }
}
