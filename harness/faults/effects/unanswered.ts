import net from "node:net";
import { request } from "undici";
import type { DbEndpoint, Lab } from "../../lab/lab.ts";
import { service, type NodeName } from "../../topology/topology.ts";
import { describe } from "../../util/errors.ts";
import type { FaultEffect } from "../fault.ts";

/** How long one look at a service may take: a frozen service answers never, a healthy one in ms. */
export const LOOK_MS = 1000;

/** Any HTTP answer (even a 503) within the bound: the service is there. */
async function httpAnswers(url: string): Promise<string | undefined> {
  try {
    const res = await request(url, {
      headersTimeout: LOOK_MS,
      bodyTimeout: LOOK_MS,
      signal: AbortSignal.timeout(LOOK_MS),
    });
    await res.body.dump();
    return undefined;
  } catch (err) {
    return describe(err);
  }
}

/**
 * MariaDB greets a new connection at once; no greeting within the bound (refused, reset, or a TCP
 * accept by the engine's port proxy with nothing behind it) means the database is not there.
 */
function mysqlGreets(db: DbEndpoint): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: db.host, port: db.port });
    const done = (why: string | undefined) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(LOOK_MS, () => done(`no greeting within ${LOOK_MS} ms`));
    socket.once("data", () => done(undefined));
    socket.once("error", (err) => done(describe(err)));
    socket.once("close", () => done("closed before greeting"));
  });
}

/** Why `alias` does not answer on its loopback endpoint, or undefined when it does. */
export async function unansweredWhy(lab: Lab, alias: string): Promise<string | undefined> {
  const spec = service(alias);
  const e = lab.endpoints;
  const node = spec.server as NodeName;
  switch (spec.kind) {
    case "db":
      return mysqlGreets(e.nodes[node].db);
    case "app":
      return httpAnswers(`${e.nodes[node].app.url}/healthz`);
    case "exporter":
      return httpAnswers(`${e.nodes[node].exporter.url}/metrics`);
    case "node-exporter":
      return httpAnswers(`${e.nodeExporters[spec.server].url}/metrics`);
    case "haproxy":
      return httpAnswers(e.haproxy.metricsUrl);
    case "prometheus":
      return httpAnswers(`${e.prometheus.url}/-/ready`);
    case "alertmanager":
      return httpAnswers(`${e.alertmanager.url}/-/ready`);
    case "receiver":
      return httpAnswers(`${e.receiver.url}/healthz`);
    case "grafana":
      return "skipped" in e.grafana ? undefined : httpAnswers(`${e.grafana.url}/api/health`);
  }
}

/** The effect of a crash, kill, stop or freeze: every one of `aliases` stops answering. */
export function unanswered(aliases: readonly string[], description: string): FaultEffect {
  return {
    description,
    watch: (lab) => async () => {
      const why = await Promise.all(aliases.map(async (a) => [a, await unansweredWhy(lab, a)] as const));
      if (why.some(([, w]) => w === undefined)) return undefined;
      return why.map(([a, w]) => `${a}: ${w}`).join("; ");
    },
  };
}
