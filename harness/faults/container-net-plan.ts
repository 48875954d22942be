import { aliasesOn, nftHealAt, type NetFault, type NetPlan, type NetStep, type Scope } from "./net-plans.ts";
import { dropTable, lossRule, netem, TABLE, tbf, tcDel } from "./net-scripts.ts";

// Container namespaces (single-engine labs). The scripts are the ones firedrill has always run:
// the rules sit in each container's own namespace and match the containers' addresses on the lab
// network, the only addresses there are.

/** The same rules on input (matching sources) and output (matching destinations): DIR is the side. */
function containerRules(body: string): string {
  return `${dropTable}
nft -f - <<'NFT'
table ${TABLE} {
  chain input { type filter hook input priority -10; policy accept; ${body.replaceAll("DIR", "saddr")} }
  chain output { type filter hook output priority -10; policy accept; ${body.replaceAll("DIR", "daddr")} }
}
NFT`;
}

/** Only outgoing packets: a one-way cut where replies to the other side still flow. */
function containerOutputOnly(body: string): string {
  return `${dropTable}
nft -f - <<'NFT'
table ${TABLE} {
  chain output { type filter hook output priority -10; policy accept; ${body} }
}
NFT`;
}

/** The containers a container-level plan touches, so the target can look up their addresses first. */
export function containersAddressed(f: NetFault): string[] {
  switch (f.kind) {
    case "partition":
      return f.direction === "both" ? [...aliasesOn(f.a), ...aliasesOn(f.b)] : aliasesOn(f.b);
    case "split-replication":
      return ["node1-db", "node2-db"];
    default:
      return [];
  }
}

const scopeAliases = (on: Scope) => ("service" in on ? [on.service] : aliasesOn(on.server));

/**
 * A network fault's heal in container namespaces: every namespace its inject may have touched loses
 * firedrill's table or qdisc. Needs no address (a crashed container has none, and no rules either).
 */
export function containerHeal(f: NetFault): NetStep[] {
  const services = (aliases: string[]) => aliases.map((service) => ({ service }));
  switch (f.kind) {
    case "partition":
      return nftHealAt(services([...aliasesOn(f.a), ...aliasesOn(f.b)]));
    case "split-replication":
      return nftHealAt(services(["node1-db", "node2-db"]));
    case "loss":
      return nftHealAt(services(scopeAliases(f.on)));
    case "bandwidth":
    case "latency":
      return scopeAliases(f.on).map((a) => ({
        at: { service: a },
        script: tcDel("eth0"),
        why: `remove ${a}'s qdisc`,
      }));
  }
}

/**
 * A network fault's inject as scripts in container namespaces. `ipOf` gives each container's
 * address on the lab network (looked up just before: it changes when a container restarts).
 */
export function containerInject(f: NetFault, ipOf: (alias: string) => string): NetStep[] {
  const set = (aliases: string[]) => `{ ${aliases.map(ipOf).join(", ")} }`;
  switch (f.kind) {
    case "partition": {
      const sideA = aliasesOn(f.a);
      const sideB = aliasesOn(f.b);
      if (f.direction === "one-way")
        return sideA.map((a) => ({
          at: { service: a },
          script: containerOutputOnly(`ip daddr ${set(sideB)} ct state new drop;`),
          why: `${a} cannot open connections to ${f.b}'s containers`,
        }));
      return [
        ...sideA.map((a) => ({
          at: { service: a },
          script: containerRules(`ip DIR ${set(sideB)} drop;`),
          why: `${a} drops ${f.b}'s containers`,
        })),
        ...sideB.map((b) => ({
          at: { service: b },
          script: containerRules(`ip DIR ${set(sideA)} drop;`),
          why: `${b} drops ${f.a}'s containers`,
        })),
      ];
    }
    case "split-replication":
      return [
        {
          at: { service: "node1-db" },
          script: containerRules(`ip DIR ${ipOf("node2-db")} drop;`),
          why: "node1-db drops node2-db",
        },
        {
          at: { service: "node2-db" },
          script: containerRules(`ip DIR ${ipOf("node1-db")} drop;`),
          why: "node2-db drops node1-db",
        },
      ];
    case "loss":
      return scopeAliases(f.on).map((a) => ({
        at: { service: a },
        script: containerRules(lossRule(f.percent)),
        why: `drop ${f.percent} % of ${a}'s packets`,
      }));
    case "bandwidth":
    case "latency":
      return scopeAliases(f.on).map((a) => ({
        at: { service: a },
        script: f.kind === "bandwidth" ? tbf("eth0", f.kbitPerSecond) : netem("eth0", f.delayMs),
        why:
          f.kind === "bandwidth"
            ? `limit ${a} to ${f.kbitPerSecond} kbit/s`
            : `delay ${a} by ${f.delayMs} ms`,
      }));
  }
}

export const containerNetPlan = (f: NetFault, ipOf: (alias: string) => string): NetPlan => ({
  inject: containerInject(f, ipOf),
  heal: containerHeal(f),
});
