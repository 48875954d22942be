import { request } from "undici";
import { sumSamples } from "./metrics-text.ts";

export type ServerState = "UP" | "DOWN" | "MAINT" | "DRAIN" | "NOLB" | "unknown";

/** Parses HAProxy's built-in exporter: `haproxy_server_status{proxy,server,state}` is 1 for the current state. */
export function serverStates(metricsText: string, proxy = "app"): Record<string, ServerState> {
  const states: Record<string, ServerState> = {};
  const re = /^haproxy_server_status\{([^}]*)\}\s+1(?:\.0)?\s*$/gm;
  for (const m of metricsText.matchAll(re)) {
    const labels = Object.fromEntries(
      [...(m[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (labels.proxy === proxy && labels.server)
      states[labels.server] = (labels.state as ServerState) ?? "unknown";
  }
  return states;
}

export async function fetchServerStates(
  metricsUrl: string,
  proxy = "app",
): Promise<Record<string, ServerState>> {
  const res = await request(metricsUrl, { headersTimeout: 3000, bodyTimeout: 3000 });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`HAProxy metrics answered ${res.statusCode}`);
  return serverStates(text, proxy);
}

export interface FrontendResponses {
  total: number;
  fiveXx: number;
}

/** HAProxy's own response counters for the `web` frontend (read on demand, so final once answered). */
export async function frontendResponses(metricsUrl: string): Promise<FrontendResponses> {
  const text = await (await fetch(metricsUrl)).text();
  const name = "haproxy_frontend_http_responses_total";
  return {
    total: sumSamples(text, name, { proxy: "web" }),
    fiveXx: sumSamples(text, name, { proxy: "web", code: "5xx" }),
  };
}
