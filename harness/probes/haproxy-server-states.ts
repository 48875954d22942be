import { request } from "undici";
import { serverStates } from "./haproxy-metrics.ts";

/** HAProxy's server state when its metrics did not answer or did not list the server. */
export const UNKNOWN = "unknown";

/** Reads HAProxy's state of every server of the watched backend; must give up when `signal` aborts. */
export type ServerStatesReader = (signal: AbortSignal) => Promise<Record<string, string>>;

/** HAProxy's server states from its Prometheus endpoint (`scope=server`: only server metrics, a smaller page). */
export function haproxyReader(metricsUrl: string, proxy = "app"): ServerStatesReader {
  const url = new URL(metricsUrl);
  url.searchParams.set("scope", "server");
  return async (signal) => {
    const res = await request(url, { signal });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HAProxy metrics answered ${res.statusCode}`);
    return serverStates(text, proxy);
  };
}
