import { serverNames, servicesOn, type ServerName } from "../../topology/topology.ts";
import type { FaultEffect } from "../fault.ts";
import { targetOf } from "../lab-target.ts";
import { placeName } from "../net-plans.ts";

// The effects of the faults on the links between servers (a partition, a whole server's loss,
// bandwidth or latency), looked at where those links are: from a peer's place, through the lab's
// fault target, so they hold on a multi-host lab as on a single engine.

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
