import { request } from "undici";

/** One entry of Alertmanager's `/api/v2/alerts`. */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  status: { state: "active" | "suppressed" | "unprocessed" };
}

/** A small client of Alertmanager's v2 API. */
export class AlertmanagerClient {
  constructor(readonly url: string) {}

  async alerts(): Promise<AlertmanagerAlert[]> {
    const res = await request(`${this.url}/api/v2/alerts`, { headersTimeout: 5000, bodyTimeout: 5000 });
    if (res.statusCode !== 200) {
      throw new Error(`Alertmanager /api/v2/alerts: ${res.statusCode} ${await res.body.text()}`);
    }
    return (await res.body.json()) as AlertmanagerAlert[];
  }
}
