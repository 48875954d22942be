import { request } from "undici";
import { queryRows, withRoot } from "../../db/sql.ts";
import type { Lab } from "../../lab/lab.ts";
import { within } from "../../probes/db-state.ts";
import { service, type NodeName } from "../../topology/topology.ts";
import type { FaultEffect } from "../fault.ts";
import { unansweredWhy } from "./unanswered.ts";

// The effects of shaping one service's own traffic (loss, bandwidth, latency), looked at from here
// through its loopback endpoint.

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
