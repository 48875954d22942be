import { request } from "undici";

/** The webhook body Alertmanager sends (Grafana's is a superset: orgId, title, state, message). */
export interface WebhookPayload {
  receiver?: string;
  status: "firing" | "resolved";
  alerts: {
    status: "firing" | "resolved";
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    startsAt?: string;
    endsAt?: string;
  }[];
  groupLabels?: Record<string, string>;
  commonLabels?: Record<string, string>;
  version?: string;
}

export interface Delivery {
  seq: number;
  /** "alertmanager" or "grafana": the path the sender posted to (/hook/<source>). */
  source: string;
  /** Wall clock (epoch ms) when the receiver read the request. */
  receivedAtMs: number;
  payload: WebhookPayload;
}

/** Client of firedrill's receiver container (cluster/receiver/receiver.py). */
export class ReceiverClient {
  constructor(readonly url: string) {}

  async deliveries(since = 0): Promise<Delivery[]> {
    const res = await request(`${this.url}/deliveries?since=${since}`, {
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    if (res.statusCode !== 200) throw new Error(`receiver /deliveries answered ${res.statusCode}`);
    return ((await res.body.json()) as { deliveries: Delivery[] }).deliveries;
  }

  /** Hands the harness's metrics (exposition text) to the receiver, which Prometheus scrapes. */
  async putHarnessMetrics(text: string): Promise<void> {
    const res = await request(`${this.url}/harness-metrics`, {
      method: "PUT",
      body: text,
      headers: { "content-type": "text/plain" },
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`receiver /harness-metrics answered ${res.statusCode}`);
  }
}
