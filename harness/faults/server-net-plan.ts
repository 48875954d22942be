import { service, type ServerName } from "../topology/topology.ts";
import { containerHeal, containerInject } from "./container-net-plan.ts";
import { nftHealAt, type NetFault, type NetPlan, type NetStep } from "./net-plans.ts";
import { dropTable, lossRule, netem, TABLE, tbf, tcDel } from "./net-scripts.ts";

// Server shells (multi-host labs: machines, VMs). Servers reach each other's services at the peer
// SERVER's address and the port its container publishes there; the containers' own addresses are
// private to each server's bridge and never seen on the wire between servers.
//
// Where the packets pass on a server whose containers publish ports:
// - Arriving from a peer, for a published port: `prerouting`, then Docker's DNAT (nat, priority
//   -100) rewrites the destination to the container, and the packet goes on through `forward` (or
//   `input` where Docker's userland proxy serves the port). Our inbound rules sit in `prerouting` at
//   priority -150 (after conntrack at -200, before any DNAT): they see the peer's address and the
//   port the peer actually asked for, whichever way the port is served afterwards.
// - Leaving for a peer: a container's packet is routed through `forward` (masqueraded later, in
//   `postrouting`), the server's own (a shell probe) through `output`; both still carry the peer's
//   address and port as destination. Outbound rules sit in both.
// - Shaping a whole server acts on its interface toward its peers (`ServerAccess.interface`), so the
//   link between servers is what suffers, not the server's own bridge.

/** What a server-level plan needs to know of the lab: addresses, interfaces and published ports. */
export interface ServerView {
  address(server: ServerName): string;
  interface(server: ServerName): string;
  /** The port `alias`'s container `port` is published on, on its server's address. */
  published(alias: string, port: number): number;
}

type Hook = "prerouting" | "input" | "forward" | "output" | "postrouting";
const PRIORITY = -150;

/** One nft table with the given rules per hook, replacing any earlier firedrill table. */
export function serverRules(chains: Partial<Record<Hook, string[]>>): string {
  const body = (Object.entries(chains) as [Hook, string[]][])
    .filter(([, rules]) => rules.length > 0)
    .map(
      ([hook, rules]) =>
        `  chain ${hook} { type filter hook ${hook} priority ${PRIORITY}; policy accept; ${rules.join(" ")} }`,
    )
    .join("\n");
  return `${dropTable}
nft -f - <<'NFT'
table ${TABLE} {
${body}
}
NFT`;
}

const dbPort = (view: ServerView, node: "node1" | "node2") =>
  view.published(`${node}-db`, service(`${node}-db`).ports[0]!);

/** A network fault's heal on servers: firedrill's table or qdisc removed where the inject put it. */
export function serverHeal(f: NetFault, view: Pick<ServerView, "interface">): NetStep[] {
  const servers = (s: ServerName[]) => s.map((server) => ({ server }));
  switch (f.kind) {
    case "partition":
      return nftHealAt(servers([f.a, f.b]));
    case "split-replication":
      return nftHealAt(servers(["node1", "node2"]));
    case "loss":
      return "service" in f.on ? containerHeal(f) : nftHealAt(servers([f.on.server]));
    case "bandwidth":
    case "latency": {
      if ("service" in f.on) return containerHeal(f);
      const s = f.on.server;
      return [{ at: { server: s }, script: tcDel(view.interface(s)), why: `remove ${s}'s qdisc` }];
    }
  }
}

/** A network fault's inject on servers: nft and tc run as root on each server, matching peer servers. */
export function serverInject(f: NetFault, view: ServerView): NetStep[] {
  switch (f.kind) {
    case "partition": {
      if (f.direction === "one-way") {
        // Only new connections from a to b: b's own connections to a, and a's replies, still flow.
        const rule = `ip daddr ${view.address(f.b)} ct state new drop;`;
        return [
          {
            at: { server: f.a },
            script: serverRules({ forward: [rule], output: [rule] }),
            why: `${f.a} cannot open connections to ${f.b}; ${f.b} still reaches ${f.a}`,
          },
        ];
      }
      const drop = (peer: ServerName) => {
        const ip = view.address(peer);
        return serverRules({
          prerouting: [`ip saddr ${ip} drop;`],
          forward: [`ip daddr ${ip} drop;`],
          output: [`ip daddr ${ip} drop;`],
        });
      };
      return [
        { at: { server: f.a }, script: drop(f.b), why: `${f.a} drops everything to and from ${f.b}` },
        { at: { server: f.b }, script: drop(f.a), why: `${f.b} drops everything to and from ${f.a}` },
      ];
    }
    case "split-replication": {
      // Between node1 and node2 only the databases talk (each app uses its own database). Each node
      // drops what the peer sends to its own database's published port (the peer's replica pulling)
      // and what comes from the peer's database port (its own replica's link), and sends nothing to
      // the peer's database port. Apps, exporters and HAProxy's checks keep flowing.
      const cut = (self: "node1" | "node2", peer: "node1" | "node2") => {
        const ip = view.address(peer);
        const own = dbPort(view, self);
        const theirs = dbPort(view, peer);
        const out = [`ip daddr ${ip} tcp dport ${theirs} drop;`];
        return serverRules({
          prerouting: [`ip saddr ${ip} tcp dport ${own} drop;`, `ip saddr ${ip} tcp sport ${theirs} drop;`],
          forward: out,
          output: out,
        });
      };
      return [
        {
          at: { server: "node1" },
          script: cut("node1", "node2"),
          why: "node1 drops MariaDB traffic with node2",
        },
        {
          at: { server: "node2" },
          script: cut("node2", "node1"),
          why: "node2 drops MariaDB traffic with node1",
        },
      ];
    }
    case "loss": {
      // A service's loss stays in its container's namespace, as on a single engine.
      if ("service" in f.on) return containerInject(f, noAddresses);
      const s = f.on.server;
      const dev = view.interface(s);
      const rule = lossRule(f.percent);
      return [
        {
          at: { server: s },
          script: serverRules({
            prerouting: [`iifname "${dev}" ${rule}`],
            postrouting: [`oifname "${dev}" ${rule}`],
          }),
          why: `drop ${f.percent} % of ${s}'s packets on ${dev}`,
        },
      ];
    }
    case "bandwidth":
    case "latency": {
      if ("service" in f.on) return containerInject(f, noAddresses);
      const s = f.on.server;
      const dev = view.interface(s);
      return [
        {
          at: { server: s },
          script: f.kind === "bandwidth" ? tbf(dev, f.kbitPerSecond) : netem(dev, f.delayMs),
          why:
            f.kind === "bandwidth"
              ? `limit ${s}'s ${dev} to ${f.kbitPerSecond} kbit/s`
              : `delay ${s}'s ${dev} by ${f.delayMs} ms`,
        },
      ];
    }
  }
}

export const serverNetPlan = (f: NetFault, view: ServerView): NetPlan => ({
  inject: serverInject(f, view),
  heal: serverHeal(f, view),
});

/** Service-scoped rules match no address: a lookup would be a bug in the plan. */
const noAddresses = (alias: string): string => {
  throw new Error(`a service-scoped plan looked up ${alias}'s address`);
};
