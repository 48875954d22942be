import type { Lab } from "../lab/lab.ts";
import { servicesOn, service, type ServerName, type ServiceSpec } from "../topology/topology.ts";
import { FaultUnsupportedError, type Fault } from "./fault.ts";
import { inNetns, mustInNetns } from "./netadmin.ts";
import {
  answersSlowerThan,
  cannotConnect,
  replicationStalled,
  someUnanswered,
  throughputAtMost,
} from "./effects.ts";

// All firedrill rules live in one nft table per namespace, so healing is one idempotent delete.
const TABLE = "inet firedrill";
const dropTable = `nft delete table ${TABLE} 2>/dev/null; true`;

function rules(body: string): string {
  return `${dropTable}
nft -f - <<'NFT'
table ${TABLE} {
  chain input { type filter hook input priority -10; policy accept; ${body.replaceAll("DIR", "saddr")} }
  chain output { type filter hook output priority -10; policy accept; ${body.replaceAll("DIR", "daddr")} }
}
NFT`;
}

/** Only outgoing packets: a one-way cut where replies to the other side still flow. */
function outputOnly(body: string): string {
  return `${dropTable}
nft -f - <<'NFT'
table ${TABLE} {
  chain output { type filter hook output priority -10; policy accept; ${body} }
}
NFT`;
}

const aliasesOn = (server: ServerName) =>
  servicesOn(server)
    .filter((s) => s.image !== undefined)
    .map((s) => s.alias);

async function ipsOf(lab: Lab, aliases: string[]): Promise<string[]> {
  return Promise.all(aliases.map((a) => lab.ipOf(a)));
}

async function healAll(lab: Lab, aliases: string[]): Promise<void> {
  // A crashed or stopped target has no namespace left, and so no rules: nothing to heal there.
  await Promise.all(
    aliases.map(async (a) => {
      const st = (await lab.container(a).inspect()).State;
      if (st.Running) await inNetns(lab, a, dropTable);
    }),
  );
}

/** The first service of `services` that listens on a port, as the partition's effect target. */
function firstPort<T>(services: readonly ServiceSpec[], make: (alias: string, port: number) => T): T {
  const s = services.find((x) => x.ports.length > 0);
  if (!s) throw new Error("partition: the far side has no service with a port to look at");
  return make(s.alias, s.ports[0]!);
}

/**
 * Cuts traffic between two servers. `both`: nothing passes either way. `one-way`: `a` cannot open
 * connections to `b`, while `b` still reaches `a` and gets its replies (dropping every packet from a
 * to b would drop those replies too and cut both ways). E.g. node1's replica cannot pull from node2,
 * while node2's replica still pulls from node1.
 */
export function partition(a: ServerName, b: ServerName, direction: "both" | "one-way" = "both"): Fault {
  const sideA = aliasesOn(a);
  const sideB = aliasesOn(b);
  return {
    name: direction === "both" ? `partition ${a} | ${b}` : `partition ${a} -> ${b}`,
    needs: ["netadmin"],
    effect: firstPort(
      servicesOn(b).filter((s) => s.image !== undefined),
      (to, port) => cannotConnect(sideA[0]!, to, port),
    ),
    inject: async (lab) => {
      const ipsB = await ipsOf(lab, sideB);
      const set = `{ ${ipsB.join(", ")} }`;
      const body = direction === "both" ? `ip DIR ${set} drop;` : "";
      for (const alias of sideA) {
        const script = direction === "both" ? rules(body) : outputOnly(`ip daddr ${set} ct state new drop;`);
        await mustInNetns(lab, alias, script);
      }
      if (direction === "both") {
        const ipsA = await ipsOf(lab, sideA);
        for (const alias of sideB)
          await mustInNetns(lab, alias, rules(`ip DIR { ${ipsA.join(", ")} } drop;`));
      }
    },
    heal: (lab) => healAll(lab, [...sideA, ...sideB]),
  };
}

/** Only replication is cut: node1's and node2's databases cannot reach each other; apps and HAProxy are untouched. */
export function splitReplication(): Fault {
  return {
    name: "split replication",
    needs: ["netadmin"],
    effect: replicationStalled(),
    inject: async (lab) => {
      const [ip1, ip2] = await ipsOf(lab, ["node1-db", "node2-db"]);
      await mustInNetns(lab, "node1-db", rules(`ip DIR ${ip2} drop;`));
      await mustInNetns(lab, "node2-db", rules(`ip DIR ${ip1} drop;`));
    },
    heal: (lab) => healAll(lab, ["node1-db", "node2-db"]),
  };
}

/** Drops a share of one container's packets, both ways (nft `numgen random`). */
export function packetLoss(alias: string, percent: number): Fault {
  service(alias);
  if (!(percent > 0 && percent <= 100)) throw new Error(`packet loss must be in (0, 100], not ${percent}`);
  return {
    name: `lose ${percent}% of ${alias}'s packets`,
    needs: ["netadmin"],
    effect: someUnanswered(alias),
    inject: (lab) =>
      mustInNetns(
        lab,
        alias,
        // nft's numgen compares within 0-99, so "everything" is a plain drop rather than "< 100".
        rules(
          percent >= 100
            ? "meta l4proto tcp drop;"
            : `meta l4proto tcp numgen random mod 100 < ${Math.round(percent)} drop;`,
        ),
      ).then(() => undefined),
    heal: (lab) => healAll(lab, [alias]),
  };
}

/** Limits one container's egress bandwidth with a token bucket (tbf). */
export function bandwidthLimit(alias: string, kbitPerSecond: number): Fault {
  service(alias);
  if (!(kbitPerSecond > 0)) throw new Error(`bandwidth must be positive, not ${kbitPerSecond}`);
  return {
    name: `limit ${alias} to ${kbitPerSecond} kbit/s`,
    needs: ["netadmin"],
    effect: throughputAtMost(alias, kbitPerSecond),
    inject: (lab) =>
      mustInNetns(
        lab,
        alias,
        `tc qdisc replace dev eth0 root tbf rate ${kbitPerSecond}kbit burst 16kbit latency 200ms`,
      ).then(() => undefined),
    heal: async (lab) => {
      if ((await lab.container(alias).inspect()).State.Running)
        await inNetns(lab, alias, "tc qdisc del dev eth0 root 2>/dev/null; true");
    },
  };
}

/** Adds latency with netem; where the kernel has no sch_netem the inject says so and the drill is skipped. */
export function latency(alias: string, delayMs: number): Fault {
  service(alias);
  if (!(delayMs > 0)) throw new Error(`latency must be positive, not ${delayMs}`);
  const name = `delay ${alias} by ${delayMs} ms`;
  return {
    name,
    needs: ["netadmin", "netem"],
    effect: answersSlowerThan(alias, delayMs),
    inject: async (lab) => {
      const r = await inNetns(lab, alias, `tc qdisc replace dev eth0 root netem delay ${delayMs}ms`);
      if (r.exitCode !== 0) {
        throw new FaultUnsupportedError(
          name,
          `this kernel has no netem qdisc (sch_netem): ${r.output.trim().split("\n")[0]}`,
        );
      }
    },
    heal: async (lab) => {
      if ((await lab.container(alias).inspect()).State.Running)
        await inNetns(lab, alias, "tc qdisc del dev eth0 root 2>/dev/null; true");
    },
  };
}
