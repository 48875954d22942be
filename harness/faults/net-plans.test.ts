import { describe, expect, it } from "vitest";
import type { ServerName } from "../topology/topology.ts";
import { containerHeal, containerInject, containerNetPlan } from "./container-net-plan.ts";
import { placeName, type NetFault, type NetStep } from "./net-plans.ts";
import { dropTable } from "./net-scripts.ts";
import { serverNetPlan, type ServerView } from "./server-net-plan.ts";

// A multi-host lab as the plans see it: each server's address on the lab network, its interface
// toward its peers, and the host ports its containers publish there. The published database ports
// differ from the container's 3306 on purpose: a rule matching the container port where the packet
// still carries the published one (before DNAT) must be caught.
const ADDR: Record<ServerName, string> = {
  control1: "10.77.0.11",
  control2: "10.77.0.12",
  node1: "10.77.0.13",
  node2: "10.77.0.14",
};
const PUBLISHED: Record<string, number> = { "node1-db": 13306, "node2-db": 23306 };
const view: ServerView = {
  address: (s) => ADDR[s],
  interface: (s) => (s === "node2" ? "eth1" : "eth0"),
  published: (alias, port) => PUBLISHED[alias] ?? port,
};
// Each server's containers sit on its own bridge; on a multi-host lab these addresses never travel
// between servers (the same numbers may even repeat on every server).
const CONTAINER_IP: Record<string, string> = {
  receiver: "172.18.0.2",
  haproxy: "172.18.0.3",
  prometheus: "172.18.0.4",
  alertmanager: "172.18.0.5",
  "node1-db": "172.18.0.6",
  "node1-exporter": "172.18.0.7",
  "node1-app": "172.18.0.8",
  "node2-db": "172.18.0.9",
  "node2-exporter": "172.18.0.10",
  "node2-app": "172.18.0.11",
  "control1-node-exporter": "172.18.0.12",
  "control2-node-exporter": "172.18.0.13",
  "node1-node-exporter": "172.18.0.14",
  "node2-node-exporter": "172.18.0.15",
};
const ipOf = (alias: string) => CONTAINER_IP[alias]!;

const where = (steps: NetStep[]) => steps.map((s) => placeName(s.at));

// ---------------------------------------------------------------------------------------------
// A small model of nft for the rule shapes the plans write, and of a server whose containers
// publish ports: enough to say which packets a rule set drops on their real way through a server.

interface Packet {
  proto: "tcp";
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  iif?: string;
  oif?: string;
  /** The first packet of a connection (conntrack state new). */
  isNew: boolean;
}
type Hook = "prerouting" | "input" | "forward" | "output" | "postrouting";

/** The chains of the one table a script loads: hook → rules. */
function tableOf(script: string): Map<Hook, string[]> {
  const chains = new Map<Hook, string[]>();
  for (const m of script.matchAll(
    /chain (\w+) \{ type filter hook (\w+) priority (-?\d+); policy accept; (.*?) \}\s*$/gm,
  )) {
    chains.set(
      m[2] as Hook,
      m[4]!
        .split(";")
        .map((r) => r.trim())
        .filter((r) => r.length > 0),
    );
  }
  return chains;
}

const addrSet = (s: string) =>
  s.startsWith("{")
    ? s
        .slice(1, -1)
        .split(",")
        .map((x) => x.trim())
    : [s];

/** Whether one rule drops `p` (numgen randomness counted as "drops sometimes": true). */
function ruleDrops(rule: string, p: Packet): boolean {
  const words = rule.match(/\{[^}]*\}|"[^"]*"|\S+/g) ?? [];
  if (words.at(-1) !== "drop") throw new Error(`unmodelled rule: ${rule}`);
  let i = 0;
  const next = () => words[i++]!;
  while (i < words.length - 1) {
    const w = next();
    if (w === "ip") {
      const dir = next();
      const set = addrSet(next());
      if (!set.includes(dir === "saddr" ? p.saddr : p.daddr)) return false;
    } else if (w === "tcp") {
      const dir = next();
      const port = Number(next());
      if ((dir === "sport" ? p.sport : p.dport) !== port) return false;
    } else if (w === "ct") {
      next(); // state
      if (next() === "new" && !p.isNew) return false;
    } else if (w === "meta") {
      next(); // l4proto
      if (next() !== p.proto) return false;
    } else if (w === "numgen") {
      i += 5; // random mod 100 < N: drops a share; counted as dropping
    } else if (w === "iifname" || w === "oifname") {
      const name = next().replaceAll('"', "");
      if ((w === "iifname" ? p.iif : p.oif) !== name) return false;
    } else throw new Error(`unmodelled word ${w} in: ${rule}`);
  }
  return true;
}

function dropsAt(table: Map<Hook, string[]>, hook: Hook, p: Packet): boolean {
  return (table.get(hook) ?? []).some((r) => ruleDrops(r, p));
}

/**
 * A packet arriving at a server from a peer, for a port its container publishes: prerouting sees
 * the published port, then DNAT rewrites it to the container and forward sees that.
 */
function arrivesPublished(
  table: Map<Hook, string[]>,
  p: Packet,
  container: { ip: string; port: number },
): boolean {
  if (dropsAt(table, "prerouting", p)) return true;
  return dropsAt(table, "forward", { ...p, daddr: container.ip, dport: container.port });
}

/** A reply arriving for a connection a container opened: prerouting sees the server's address, forward the container's. */
function arrivesReply(table: Map<Hook, string[]>, p: Packet, containerIp: string): boolean {
  return dropsAt(table, "prerouting", p) || dropsAt(table, "forward", { ...p, daddr: containerIp });
}

/** A container's packet to a peer: forward sees the container's address, postrouting masquerades it after. */
function leavesFromContainer(table: Map<Hook, string[]>, p: Packet, containerIp: string): boolean {
  return dropsAt(table, "forward", { ...p, saddr: containerIp }) || dropsAt(table, "postrouting", p);
}

/** A packet from the server's own shell (a probe). */
function leavesFromShell(table: Map<Hook, string[]>, p: Packet): boolean {
  return dropsAt(table, "output", p) || dropsAt(table, "postrouting", p);
}

const scriptOn = (steps: NetStep[], server: ServerName) => {
  const s = steps.filter((x) => placeName(x.at) === server);
  expect(s, `one script on ${server}`).toHaveLength(1);
  return s[0]!.script;
};

/**
 * Replication between node1 and node2 on a multi-host lab, packet by packet: node2's replica opens a
 * connection to node1's published database port, node1's database answers; and the other way round.
 * Returns which of these packets the servers' rule sets drop.
 */
function replicationPackets(tables: Record<"node1" | "node2", Map<Hook, string[]>>) {
  const link = (replica: "node1" | "node2", master: "node1" | "node2") => {
    const eph = 40000;
    const masterPort = PUBLISHED[`${master}-db`]!;
    const syn: Packet = {
      proto: "tcp",
      saddr: ADDR[replica],
      daddr: ADDR[master],
      sport: eph,
      dport: masterPort,
      isNew: true,
      iif: "eth0",
      oif: "eth0",
    };
    const reply: Packet = {
      proto: "tcp",
      saddr: ADDR[master],
      daddr: ADDR[replica],
      sport: masterPort,
      dport: eph,
      isNew: false,
      iif: "eth0",
      oif: "eth0",
    };
    return {
      // The replica's SYN, leaving its server (from its container) and arriving at the master's.
      synLeaves: leavesFromContainer(tables[replica], syn, CONTAINER_IP[`${replica}-db`]!),
      synArrives: arrivesPublished(tables[master], syn, { ip: CONTAINER_IP[`${master}-db`]!, port: 3306 }),
      // The master's answers (binlog events) arriving back at the replica's server.
      replyArrives: arrivesReply(tables[replica], reply, CONTAINER_IP[`${replica}-db`]!),
    };
  };
  return { node1FromNode2: link("node1", "node2"), node2FromNode1: link("node2", "node1") };
}

/** Both directions of replication cut, at least one packet of each connection dropped both ways. */
function replicationCut(tables: Record<"node1" | "node2", Map<Hook, string[]>>): boolean {
  const r = replicationPackets(tables);
  return [r.node1FromNode2, r.node2FromNode1].every((l) => (l.synLeaves || l.synArrives) && l.replyArrives);
}

/** Every IPv4 address a script's rules match. */
const addressesIn = (script: string) => [...script.matchAll(/\b(\d+\.\d+\.\d+\.\d+)\b/g)].map((m) => m[1]!);

/** On a multi-host lab, a server-level rule may match only servers' addresses: never a container's. */
function assertOnlyServerAddresses(steps: NetStep[]): void {
  const servers = new Set(Object.values(ADDR));
  for (const s of steps)
    for (const a of addressesIn(s.script))
      if (!servers.has(a))
        throw new Error(
          `${placeName(s.at)} matches ${a}, which is no server's address: on a multi-host lab no packet between servers carries it`,
        );
}

// ---------------------------------------------------------------------------------------------

describe("server-level plans: which script runs on which server, matching what", () => {
  it("split replication: nft on node1 and node2 only, matching the peer server's address and the published database ports", () => {
    const p = serverNetPlan({ kind: "split-replication" }, view);
    expect(where(p.inject)).toEqual(["node1", "node2"]);
    const n1 = tableOf(scriptOn(p.inject, "node1"));
    // Inbound before DNAT (prerouting, priority -150): the peer's address and the ports it asked for.
    expect(n1.get("prerouting")).toEqual([
      "ip saddr 10.77.0.14 tcp dport 13306 drop",
      "ip saddr 10.77.0.14 tcp sport 23306 drop",
    ]);
    expect(n1.get("forward")).toEqual(["ip daddr 10.77.0.14 tcp dport 23306 drop"]);
    expect(n1.get("output")).toEqual(["ip daddr 10.77.0.14 tcp dport 23306 drop"]);
    expect(scriptOn(p.inject, "node1")).toContain("type filter hook prerouting priority -150;");
    const n2 = tableOf(scriptOn(p.inject, "node2"));
    expect(n2.get("prerouting")).toEqual([
      "ip saddr 10.77.0.13 tcp dport 23306 drop",
      "ip saddr 10.77.0.13 tcp sport 13306 drop",
    ]);
    assertOnlyServerAddresses(p.inject);
    expect(p.heal).toEqual([
      { at: { server: "node1" }, script: dropTable, why: "remove node1's firedrill rules" },
      { at: { server: "node2" }, script: dropTable, why: "remove node2's firedrill rules" },
    ]);
  });

  it("split replication: every replication packet's way through the servers is cut, and nothing else", () => {
    const p = serverNetPlan({ kind: "split-replication" }, view);
    const tables = {
      node1: tableOf(scriptOn(p.inject, "node1")),
      node2: tableOf(scriptOn(p.inject, "node2")),
    };
    expect(replicationCut(tables)).toBe(true);
    // Each node's own rules cut its own replica's link, without the peer's help.
    const r = replicationPackets(tables);
    expect(r.node1FromNode2).toEqual({ synLeaves: true, synArrives: true, replyArrives: true });
    expect(r.node2FromNode1).toEqual({ synLeaves: true, synArrives: true, replyArrives: true });
    // HAProxy's checks of node1's app, and node2 reaching node1's app, still pass.
    const toApp = (from: ServerName): Packet => ({
      proto: "tcp",
      saddr: ADDR[from],
      daddr: ADDR.node1,
      sport: 41000,
      dport: 8000,
      isNew: true,
    });
    expect(
      arrivesPublished(tables.node1, toApp("control2"), { ip: CONTAINER_IP["node1-app"]!, port: 8000 }),
    ).toBe(false);
    expect(
      arrivesPublished(tables.node1, toApp("node2"), { ip: CONTAINER_IP["node1-app"]!, port: 8000 }),
    ).toBe(false);
  });

  it("planted: the container-level rule set on a multi-host lab matches container addresses and cuts nothing", () => {
    // What firedrill did before on every lab: each database's namespace drops the other database's
    // container address. Between servers, those addresses never appear.
    const planted = containerInject({ kind: "split-replication" }, ipOf);
    expect(() => assertOnlyServerAddresses(planted)).toThrow(
      /matches 172\.18\.0\.9, which is no server's address/,
    );
    const asIfOnServers = {
      node1: tableOf(
        planted[0]!.script
          .replace(/chain input \{ type filter hook input/, "chain prerouting { type filter hook prerouting")
          .replace(/chain output \{ type filter hook output/, "chain forward { type filter hook forward"),
      ),
      node2: tableOf(
        planted[1]!.script
          .replace(/chain input \{ type filter hook input/, "chain prerouting { type filter hook prerouting")
          .replace(/chain output \{ type filter hook output/, "chain forward { type filter hook forward"),
      ),
    };
    // The model read the planted rules (an empty table would pass this vacuously).
    expect(asIfOnServers.node1.get("prerouting")).toEqual(["ip saddr 172.18.0.9 drop"]);
    expect(asIfOnServers.node2.get("forward")).toEqual(["ip daddr 172.18.0.6 drop"]);
    expect(replicationCut(asIfOnServers)).toBe(false);
  });

  it("planted: inbound rules after DNAT (input or forward) matching the published port miss the replica's packets", () => {
    // The rule of the old VM plan, with a published port that is not the container's: by the time
    // a packet reaches forward, Docker's DNAT has rewritten it to the container's 3306.
    const late = (peer: string, own: number, theirs: number) =>
      new Map<Hook, string[]>([
        ["input", [`ip saddr ${peer} tcp dport ${own} drop`]],
        ["forward", [`ip saddr ${peer} tcp dport ${own} drop`]],
        ["output", [`ip daddr ${peer} tcp sport ${theirs} drop`]],
      ]);
    const r = replicationPackets({
      node1: late(ADDR.node2, 13306, 23306),
      node2: late(ADDR.node1, 23306, 13306),
    });
    expect(r.node1FromNode2.synArrives).toBe(false);
    expect(
      replicationCut({ node1: late(ADDR.node2, 13306, 23306), node2: late(ADDR.node1, 23306, 13306) }),
    ).toBe(false);
  });

  it("partition both ways: each server drops everything from the other (prerouting) and to it (forward, output)", () => {
    const p = serverNetPlan({ kind: "partition", a: "control2", b: "node1", direction: "both" }, view);
    expect(where(p.inject)).toEqual(["control2", "node1"]);
    const c2 = tableOf(scriptOn(p.inject, "control2"));
    expect(Object.fromEntries(c2)).toEqual({
      prerouting: ["ip saddr 10.77.0.13 drop"],
      forward: ["ip daddr 10.77.0.13 drop"],
      output: ["ip daddr 10.77.0.13 drop"],
    });
    expect(tableOf(scriptOn(p.inject, "node1")).get("prerouting")).toEqual(["ip saddr 10.77.0.12 drop"]);
    assertOnlyServerAddresses(p.inject);
    expect(where(p.heal)).toEqual(["control2", "node1"]);
    // HAProxy's check from control2 to node1's app: cut leaving control2 and arriving at node1.
    const check: Packet = {
      proto: "tcp",
      saddr: ADDR.control2,
      daddr: ADDR.node1,
      sport: 42000,
      dport: 8000,
      isNew: true,
    };
    expect(leavesFromContainer(c2, check, CONTAINER_IP.haproxy!)).toBe(true);
    expect(
      arrivesPublished(tableOf(scriptOn(p.inject, "node1")), check, {
        ip: CONTAINER_IP["node1-app"]!,
        port: 8000,
      }),
    ).toBe(true);
    // control2 to node2 untouched.
    expect(leavesFromContainer(c2, { ...check, daddr: ADDR.node2 }, CONTAINER_IP.haproxy!)).toBe(false);
  });

  it("one-way partition: only a's new connections to b are dropped, on a only; b still reaches a and gets replies", () => {
    const p = serverNetPlan({ kind: "partition", a: "node1", b: "node2", direction: "one-way" }, view);
    expect(where(p.inject)).toEqual(["node1"]);
    const n1 = tableOf(scriptOn(p.inject, "node1"));
    expect(Object.fromEntries(n1)).toEqual({
      forward: ["ip daddr 10.77.0.14 ct state new drop"],
      output: ["ip daddr 10.77.0.14 ct state new drop"],
    });
    const r = replicationPackets({ node1: n1, node2: new Map() });
    expect(r.node1FromNode2.synLeaves).toBe(true);
    expect(r.node2FromNode1).toEqual({ synLeaves: false, synArrives: false, replyArrives: false });
    // node1's answers to node2's connection are not new: they leave.
    expect(
      leavesFromContainer(
        n1,
        { proto: "tcp", saddr: ADDR.node1, daddr: ADDR.node2, sport: 13306, dport: 40000, isNew: false },
        CONTAINER_IP["node1-db"]!,
      ),
    ).toBe(false);
    // Probed from node1's shell (the effect): a new connection to node2 is dropped in output.
    expect(
      leavesFromShell(n1, {
        proto: "tcp",
        saddr: ADDR.node1,
        daddr: ADDR.node2,
        sport: 43000,
        dport: 23306,
        isNew: true,
      }),
    ).toBe(true);
    expect(where(p.heal)).toEqual(["node1", "node2"]);
  });

  it("loss, bandwidth and latency on a whole server act on its interface toward its peers", () => {
    const loss = serverNetPlan({ kind: "loss", on: { server: "node2" }, percent: 30 }, view);
    expect(where(loss.inject)).toEqual(["node2"]);
    expect(Object.fromEntries(tableOf(loss.inject[0]!.script))).toEqual({
      prerouting: ['iifname "eth1" meta l4proto tcp numgen random mod 100 < 30 drop'],
      postrouting: ['oifname "eth1" meta l4proto tcp numgen random mod 100 < 30 drop'],
    });
    expect(loss.heal).toEqual([
      { at: { server: "node2" }, script: dropTable, why: "remove node2's firedrill rules" },
    ]);
    const bw = serverNetPlan({ kind: "bandwidth", on: { server: "node1" }, kbitPerSecond: 512 }, view);
    expect(bw.inject.map((s) => [placeName(s.at), s.script])).toEqual([
      ["node1", "tc qdisc replace dev eth0 root tbf rate 512kbit burst 16kbit latency 200ms"],
    ]);
    expect(bw.heal[0]!.script).toBe("tc qdisc del dev eth0 root 2>/dev/null; true");
    const lat = serverNetPlan({ kind: "latency", on: { server: "node2" }, delayMs: 100 }, view);
    expect(lat.inject[0]!.script).toBe("tc qdisc replace dev eth1 root netem delay 100ms");
    expect(lat.heal[0]!.script).toBe("tc qdisc del dev eth1 root 2>/dev/null; true");
  });

  it("loss, bandwidth and latency on one service stay in its container's namespace, on any lab", () => {
    const f: NetFault = { kind: "loss", on: { service: "node1-app" }, percent: 100 };
    expect(serverNetPlan(f, view)).toEqual(containerNetPlan(f, ipOf));
    expect(where(serverNetPlan(f, view).inject)).toEqual(["node1-app"]);
    expect(serverNetPlan(f, view).inject[0]!.script).toContain("meta l4proto tcp drop;");
    const bw: NetFault = { kind: "bandwidth", on: { service: "node1-db" }, kbitPerSecond: 256 };
    expect(serverNetPlan(bw, view).inject[0]).toEqual({
      at: { service: "node1-db" },
      script: "tc qdisc replace dev eth0 root tbf rate 256kbit burst 16kbit latency 200ms",
      why: "limit node1-db to 256 kbit/s",
    });
  });
});

describe("container-level plans: today's scripts, in each container's own namespace", () => {
  it("partition both ways: every container of each side drops the other side's container addresses", () => {
    const p = containerNetPlan({ kind: "partition", a: "control2", b: "node1", direction: "both" }, ipOf);
    expect(where(p.inject)).toEqual([
      "haproxy",
      "prometheus",
      "alertmanager",
      "control2-node-exporter",
      "node1-db",
      "node1-exporter",
      "node1-app",
      "node1-node-exporter",
    ]);
    expect(p.inject[0]!.script).toBe(`nft delete table inet firedrill 2>/dev/null; true
nft -f - <<'NFT'
table inet firedrill {
  chain input { type filter hook input priority -10; policy accept; ip saddr { 172.18.0.6, 172.18.0.7, 172.18.0.8, 172.18.0.14 } drop; }
  chain output { type filter hook output priority -10; policy accept; ip daddr { 172.18.0.6, 172.18.0.7, 172.18.0.8, 172.18.0.14 } drop; }
}
NFT`);
    expect(p.inject[4]!.script).toContain(
      "ip saddr { 172.18.0.3, 172.18.0.4, 172.18.0.5, 172.18.0.13 } drop;",
    );
    expect(where(p.heal)).toEqual(where(p.inject));
    expect(p.heal.every((s) => s.script === dropTable)).toBe(true);
  });

  it("one-way partition: only a's containers drop new connections to b's, in output", () => {
    const p = containerNetPlan({ kind: "partition", a: "node1", b: "node2", direction: "one-way" }, ipOf);
    expect(where(p.inject)).toEqual(["node1-db", "node1-exporter", "node1-app", "node1-node-exporter"]);
    expect(p.inject[0]!.script).toContain(
      "chain output { type filter hook output priority -10; policy accept; ip daddr { 172.18.0.9, 172.18.0.10, 172.18.0.11, 172.18.0.15 } ct state new drop; }",
    );
    expect(p.inject[0]!.script).not.toContain("chain input");
    // The heal clears both sides: whatever a partition left anywhere goes.
    expect(where(p.heal)).toEqual([
      "node1-db",
      "node1-exporter",
      "node1-app",
      "node1-node-exporter",
      "node2-db",
      "node2-exporter",
      "node2-app",
      "node2-node-exporter",
    ]);
  });

  it("split replication: each database drops the other database's address, nothing else is touched", () => {
    const p = containerNetPlan({ kind: "split-replication" }, ipOf);
    expect(where(p.inject)).toEqual(["node1-db", "node2-db"]);
    expect(p.inject[0]!.script).toContain("ip saddr 172.18.0.9 drop;");
    expect(p.inject[0]!.script).toContain("ip daddr 172.18.0.9 drop;");
    expect(p.inject[1]!.script).toContain("ip saddr 172.18.0.6 drop;");
  });

  it("a whole server's loss, bandwidth or latency on a single engine: each of its containers", () => {
    const p = containerNetPlan({ kind: "loss", on: { server: "node2" }, percent: 100 }, ipOf);
    expect(where(p.inject)).toEqual(["node2-db", "node2-exporter", "node2-app", "node2-node-exporter"]);
    expect(p.inject[0]!.script).toContain("meta l4proto tcp drop;");
    expect(
      containerNetPlan({ kind: "loss", on: { service: "node1-app" }, percent: 30 }, ipOf).inject[0]!.script,
    ).toContain("meta l4proto tcp numgen random mod 100 < 30 drop;");
    const lat = containerNetPlan({ kind: "latency", on: { server: "node1" }, delayMs: 50 }, ipOf);
    expect(lat.inject.map((s) => s.script)).toEqual(
      Array(4).fill("tc qdisc replace dev eth0 root netem delay 50ms"),
    );
  });

  it("a heal needs no address: it can run when a container is gone", () => {
    const noIp = (a: string): string => {
      throw new Error(`looked up ${a}`);
    };
    expect(() =>
      containerHeal({ kind: "partition", a: "node1", b: "node2", direction: "both" }),
    ).not.toThrow();
    expect(() =>
      containerInject({ kind: "bandwidth", on: { service: "node1-db" }, kbitPerSecond: 1 }, noIp),
    ).not.toThrow();
  });
});
