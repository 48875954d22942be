import { request } from "undici";

/** One Grafana-managed alert as Grafana's Prometheus-compatible API lists it. */
export interface GrafanaAlert {
  labels: Record<string, string>;
  /** Grafana says "Alerting" / "Pending" / "Normal" (newer versions also "firing" / "pending"). */
  state: string;
  activeAt?: string;
}

/** A small client of Grafana's HTTP API (health and Grafana-managed alerts). */
export class GrafanaClient {
  constructor(
    readonly url: string,
    private readonly user: string,
    private readonly password: string,
  ) {}

  private async get(path: string): Promise<unknown> {
    const res = await request(`${this.url}${path}`, {
      headers: { authorization: `Basic ${Buffer.from(`${this.user}:${this.password}`).toString("base64")}` },
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    if (res.statusCode !== 200)
      throw new Error(`Grafana ${path}: ${res.statusCode} ${await res.body.text()}`);
    return res.body.json();
  }

  async healthy(): Promise<boolean> {
    const body = (await this.get("/api/health")) as { database?: string };
    return body.database === "ok";
  }

  async alerts(): Promise<{ labels: Record<string, string>; state: "pending" | "firing" }[]> {
    const body = (await this.get("/api/prometheus/grafana/api/v1/alerts")) as {
      data: { alerts: GrafanaAlert[] };
    };
    return body.data.alerts.flatMap(
      (a): { labels: Record<string, string>; state: "pending" | "firing" }[] => {
        const s = a.state.toLowerCase();
        if (s === "alerting" || s === "firing") return [{ labels: a.labels, state: "firing" }];
        if (s === "pending") return [{ labels: a.labels, state: "pending" }];
        return [];
      },
    );
  }
}
