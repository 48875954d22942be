import net from "node:net";
import { request } from "undici";
import { queryRows, withRoot } from "../db/sql.ts";
import type { DbEndpoint, Lab } from "../lab/lab.ts";
import { within } from "../probes/db-state.ts";
import { service, serverNames, servicesOn, type NodeName, type ServerName } from "../topology/topology.ts";
import { describe } from "../util/errors.ts";
import type { FaultEffect } from "./fault.ts";
import { targetOf } from "./lab-target.ts";
import { placeName } from "./net-plans.ts";

/** How long one look at a service may take: a frozen service answers never, a healthy one in ms. */
const LOOK_MS = 1000;

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

interface BinlogPos {
  file: string;
  pos: number;
}
const before = (a: BinlogPos, b: BinlogPos) => a.file < b.file || (a.file === b.file && a.pos < b.pos);

async function positions(db: DbEndpoint) {
  return within(
    LOOK_MS,
    "reading binlog positions",
    withRoot(db, async (c) => {
      const [m] = await queryRows(c, "SHOW MASTER STATUS");
      const [s] = await queryRows(c, "SHOW SLAVE STATUS");
      return {
        own: m ? { file: String(m.File), pos: Number(m.Position) } : undefined,
        read: s ? { file: String(s.Master_Log_File), pos: Number(s.Read_Master_Log_Pos) } : undefined,
        io: s ? String(s.Slave_IO_Running) : "not configured",
      };
    }),
  );
}

/**
 * Replication between node1 and node2 stopped carrying writes: a replica's IO thread is not
 * running, or it has not even read what its master had written a second (`stallMs`) earlier.
 * Seen the same way with GTID or file-and-position replication, and with the 60 s
 * `slave_net_timeout` of the seed, whose IO threads go on saying "Yes" through a 10 s split.
 */
export function replicationStalled(stallMs = 1000): FaultEffect {
  return {
    description: "replication between node1 and node2 stops carrying writes",
    watch: (lab) => {
      const nodes = { node1: lab.endpoints.nodes.node1.db, node2: lab.endpoints.nodes.node2.db };
      // Each master's own position over time: a replica behind an old one is stalled, not slow.
      const seen: { at: number; own: Record<NodeName, BinlogPos | undefined> }[] = [];
      return async () => {
        const at = performance.now();
        const [p1, p2] = await Promise.all([positions(nodes.node1), positions(nodes.node2)]).catch(
          () => [undefined, undefined] as const,
        );
        if (!p1 || !p2) return undefined;
        for (const [replica, p] of [
          ["node1", p1],
          ["node2", p2],
        ] as const)
          if (p.io !== "Yes") return `${replica}'s replication IO thread is ${p.io}`;
        seen.push({ at, own: { node1: p1.own, node2: p2.own } });
        const old = seen.filter((s) => at - s.at >= stallMs).at(-1);
        if (!old) return undefined;
        for (const [replica, master, read] of [
          ["node1", "node2", p1.read],
          ["node2", "node1", p2.read],
        ] as const) {
          const target = old.own[master];
          if (target && read && before(read, target))
            return `${replica} had not read ${master}'s binlog past ${read.file}:${read.pos} ${((at - old.at) / 1000).toFixed(1)} s after ${master} was at ${target.file}:${target.pos}`;
        }
        return undefined;
      };
    },
  };
}

/**
 * A partition's effect, seen from inside the cut: `from` cannot open a TCP connection to `to`'s
 * port, tried where the rules are (the lab's fault target says where: the namespace of one of
 * `from`'s containers, or `from`'s own shell, aiming at `to`'s server address and published port).
 */
export function cannotConnect(from: ServerName, to: string, port: number): FaultEffect {
  return {
    description: `${from} cannot connect to ${to}:${port}`,
    watch: (lab) => async () => {
      const t = targetOf(lab);
      const at = t.probeFrom(from);
      const dest = await t.reach(to, port);
      const r = await t.run(at, connectScript(dest.host, dest.port));
      return r.output.trim().endsWith("closed")
        ? `a TCP connect from ${placeName(at)} to ${to} (${dest.host}:${dest.port}) failed within 1 s`
        : undefined;
    },
  };
}

/** One TCP connect, bounded by 1 s: "open" or "closed" (bash's /dev/tcp: no client tool needed). */
export const connectScript = (host: string, port: number) =>
  `timeout 1 bash -c '</dev/tcp/${host}/${port}' && echo open || echo closed`;

/** The server a whole-server fault is looked at from: the first other one (its peer on the lab network). */
export const peerOf = (server: ServerName): ServerName => serverNames.find((s) => s !== server)!;

/** The first service of `server` with a port: what a peer connects to. */
function firstListening(server: ServerName): { alias: string; port: number } {
  const s = servicesOn(server).find((x) => x.image !== undefined && x.ports.length > 0);
  if (!s) throw new Error(`${server} runs no service with a port to look at`);
  return { alias: s.alias, port: s.ports[0]! };
}

/**
 * A whole server's packet loss, seen by a peer: of `looks` quick TCP connects from the peer (its
 * shell, or one of its containers) to a service of `server`, at least one fails. Looked at where
 * the links between servers are, so it holds on a multi-host lab as on a single engine.
 */
export function peerConnectsFail(server: ServerName, looks = 10): FaultEffect {
  const to = firstListening(server);
  const from = peerOf(server);
  return {
    description: `some connections from ${from} to ${server} fail`,
    watch: (lab) => async () => {
      const t = targetOf(lab);
      const dest = await t.reach(to.alias, to.port);
      const r = await t.run(
        t.probeFrom(from),
        // All at once: a lossy link costs one connect timeout, not one per look.
        `for i in $(seq 1 ${looks}); do (${connectScript(dest.host, dest.port)}) & done; wait`,
      );
      const lost = r.output.split("\n").filter((l) => l.trim() === "closed").length;
      return lost > 0
        ? `${lost} of ${looks} TCP connects from ${from} to ${to.alias} (${dest.host}:${dest.port}) failed within 1 s`
        : undefined;
    },
  };
}

/** HTTP services with a large answer, for a bandwidth look from a peer: the exporters' metrics first. */
const LARGE_ANSWERS: readonly { kind: string; path: string }[] = [
  { kind: "exporter", path: "/metrics" },
  { kind: "prometheus", path: "/metrics" },
  { kind: "app", path: "/metrics" },
  { kind: "alertmanager", path: "/metrics" },
];
/** Below this, a transfer's rate says more about round trips than about the link. */
const MIN_TRANSFER_BYTES = 16 * 1024;

/**
 * A whole server's bandwidth limit, seen by a peer: a large answer (a metrics page) fetched from one
 * of `server`'s services comes no faster than twice the limit. Timed inside the probe, so starting
 * the probe (a helper container, a remote shell) is not counted.
 */
export function peerThroughputAtMost(server: ServerName, kbitPerSecond: number): FaultEffect {
  const from = peerOf(server);
  const on = servicesOn(server);
  const pick = LARGE_ANSWERS.map((l) => ({ l, s: on.find((s) => s.kind === l.kind && s.image) })).find(
    (x) => x.s,
  );
  if (!pick?.s) throw new Error(`${server} runs no service with a large answer to time`);
  const alias = pick.s.alias;
  const port = pick.s.ports.at(-1)!;
  return {
    description: `${server} sends at most about ${kbitPerSecond} kbit/s to ${from}`,
    watch: (lab) => async () => {
      const t = targetOf(lab);
      const dest = await t.reach(alias, port);
      const r = await t.run(
        t.probeFrom(from),
        [
          "t0=$(date +%s%N)",
          `n=$(timeout 30 bash -c 'exec 3<>/dev/tcp/${dest.host}/${dest.port} && printf "GET ${pick.l.path} HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3' | wc -c)`,
          'echo "transfer $n $(( ($(date +%s%N) - t0) / 1000000 ))"',
        ].join("\n"),
      );
      const m = /transfer (\d+) (\d+)/.exec(r.output);
      if (!m) return undefined;
      const bytes = Number(m[1]);
      const ms = Math.max(1, Number(m[2]));
      if (bytes < MIN_TRANSFER_BYTES) return undefined;
      const kbit = (bytes * 8) / ms;
      return kbit <= 2 * kbitPerSecond
        ? `${(bytes / 1024).toFixed(0)} KiB from ${alias} to ${from} at ${kbit.toFixed(0)} kbit/s`
        : undefined;
    },
  };
}

/** Added latency on a whole server, seen by a peer: a TCP connect to one of its services takes most of the delay. */
export function peerAnswersSlowerThan(server: ServerName, delayMs: number): FaultEffect {
  const to = firstListening(server);
  const from = peerOf(server);
  return {
    description: `${server} answers ${from} ${delayMs} ms late`,
    watch: (lab) => async () => {
      const t = targetOf(lab);
      const dest = await t.reach(to.alias, to.port);
      const r = await t.run(
        t.probeFrom(from),
        `t0=$(date +%s%N); if timeout 5 bash -c '</dev/tcp/${dest.host}/${dest.port}'; then echo "connect $(( ($(date +%s%N) - t0) / 1000000 ))"; else echo "connect failed"; fi`,
      );
      const m = /connect (\d+)/.exec(r.output);
      const ms = m ? Number(m[1]) : undefined;
      return ms !== undefined && ms >= 0.8 * delayMs
        ? `a TCP connect from ${from} to ${to.alias} took ${ms} ms`
        : undefined;
    },
  };
}

/** Packet loss: of a few quick looks at `alias`, at least one goes unanswered. */
export function someUnanswered(alias: string, looks = 10): FaultEffect {
  return {
    description: `some requests to ${alias} go unanswered`,
    watch: (lab) => async () => {
      const why = await Promise.all(Array.from({ length: looks }, () => unansweredWhy(lab, alias)));
      const lost = why.filter((w) => w !== undefined);
      return lost.length > 0
        ? `${lost.length} of ${looks} looks at ${alias} unanswered (${lost[0]})`
        : undefined;
    },
  };
}

/** Bytes sent by `alias` per second on one large answer (a 256 KiB query result from a database). */
async function throughput(lab: Lab, alias: string): Promise<{ bytes: number; seconds: number }> {
  const spec = service(alias);
  const t0 = performance.now();
  if (spec.kind === "db") {
    const db = lab.endpoints.nodes[spec.server as NodeName].db;
    const bytes = 256 * 1024;
    await within(
      30_000,
      "a large query",
      withRoot(db, (c) => queryRows(c, "SELECT REPEAT('x', ?) AS x", [bytes])),
    );
    return { bytes, seconds: (performance.now() - t0) / 1000 };
  }
  if (spec.kind !== "app") throw new Error(`no large answer known for ${alias}`);
  const res = await request(`${lab.endpoints.nodes[spec.server as NodeName].app.url}/metrics`, {
    signal: AbortSignal.timeout(30_000),
  });
  const bytes = (await res.body.arrayBuffer()).byteLength;
  return { bytes, seconds: (performance.now() - t0) / 1000 };
}

/** A bandwidth limit's effect: a large answer from `alias` comes no faster than twice the limit. */
export function throughputAtMost(alias: string, kbitPerSecond: number): FaultEffect {
  return {
    description: `${alias} sends at most about ${kbitPerSecond} kbit/s`,
    watch: (lab) => async () => {
      const { bytes, seconds } = await throughput(lab, alias);
      const kbit = (bytes * 8) / 1000 / seconds;
      return kbit <= 2 * kbitPerSecond
        ? `${(bytes / 1024).toFixed(0)} KiB from ${alias} at ${kbit.toFixed(0)} kbit/s`
        : undefined;
    },
  };
}

/** Added latency's effect: a look at `alias` takes at least most of the delay. */
export function answersSlowerThan(alias: string, delayMs: number): FaultEffect {
  return {
    description: `${alias} answers ${delayMs} ms late`,
    watch: (lab) => async () => {
      const t0 = performance.now();
      const why = await unansweredWhy(lab, alias);
      const ms = performance.now() - t0;
      return why === undefined && ms >= 0.8 * delayMs
        ? `${alias} answered in ${ms.toFixed(0)} ms`
        : undefined;
    },
  };
}
