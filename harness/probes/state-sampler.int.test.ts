import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { describe, expect } from "vitest";
import { crashServer } from "../faults/kinds/crash-server.ts";
import { freezeServices } from "../faults/kinds/freeze-services.ts";
import type { Fault } from "../faults/fault.ts";
import type { HistoryEvent } from "../history/history.ts";
import { HistoryRecorder } from "../history/history-file.ts";
import type { Lab } from "../lab/lab.ts";
import { timelineSvg } from "../report/html/timeline-svg.ts";
import { labTest } from "../testing/lab-fixture.ts";
import { waitUntil } from "../util/wait-until.ts";
import {
  replicationRunningBoth,
  replicationStateAt,
  serverStateAt,
  whenReplicationRunningBoth,
  whenServerState,
} from "./sampled-states.ts";
import { StateSampler } from "./state-sampler.ts";

const probesOf = (h: readonly HistoryEvent[], source: string, from: number) =>
  h.filter((e) => e.type === "probe" && e.source === source && e.time >= from) as Extract<
    HistoryEvent,
    { type: "probe" }
  >[];

/**
 * TCP sockets this process holds open to 127.0.0.1:`port` (a database's mapped port): its socket
 * inodes (/proc/self/fd) matched against the kernel's table. A hung read the sampler gave up on
 * without closing it would stay here for as long as the database stays frozen.
 */
function socketsTo(port: number): number {
  const ours = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ""; // closed between listing and reading: not ours any more
      }
    })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) ours.add(inode);
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let n = 0;
  for (const table of ["/proc/self/net/tcp", "/proc/self/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // rem_address is f[2] (ip:port), the state f[3] (0A: listening), the inode f[9].
      if (f.length > 9 && f[2]!.endsWith(`:${hexPort}`) && f[3] !== "0A" && ours.has(f[9]!)) n++;
    }
  }
  return n;
}

const injected: Fault[] = [];

// One hardened lab for the file, and a sampler writing its state to one history from before the
// first test (`auto`: in the hook that starts the lab, whether or not that test asks) to after the
// last, before the lab goes down.
const it = labTest("hardened").extend<{ history: HistoryRecorder; sampler: StateSampler }>({
  history: [async ({ lab }, use) => use(new HistoryRecorder(lab.runId)), { scope: "file" }],
  sampler: [
    async ({ lab, history }, use) => {
      const sampler = new StateSampler({ history, endpoints: lab.endpoints });
      try {
        await sampler.start();
        await use(sampler);
      } finally {
        await sampler.stop();
        process.stderr.write(`state sampler poll cost: ${JSON.stringify(sampler.stats())}\n`);
        // A failed test must not leave node1 down for the next one; heal is idempotent.
        for (const f of injected) await f.heal(lab).catch(() => undefined);
      }
    },
    { scope: "file", auto: true },
  ],
});

// The sampler against a real hardened lab: what it writes when node1 crashes and comes back, and
// that a frozen database costs it one bounded read at a time, never a pile of hung connections.
describe("StateSampler against a running lab", () => {
  const inject = async (lab: Lab, history: HistoryRecorder, f: Fault) => {
    injected.push(f);
    const t = history.now();
    history.fault("inject", f.name);
    await f.inject(lab);
    return t;
  };
  const heal = async (lab: Lab, history: HistoryRecorder, f: Fault) => {
    const t = history.now();
    await f.heal(lab);
    history.fault("heal", f.name);
    return t;
  };

  it("first poll: both servers UP, replication running both ways, every source answering", ({
    history,
    sampler,
  }) => {
    const h = () => history.events;
    const now = history.now();
    expect(serverStateAt(h(), "node1", now)).toBe("UP");
    expect(serverStateAt(h(), "node2", now)).toBe("UP");
    expect(replicationRunningBoth(h(), now)).toBe(true);
    for (const source of ["haproxy-metrics", "node1-db", "node2-db"])
      expect(probesOf(h(), source, 0).map((p) => p.ok)).toEqual([true]);
    process.stderr.write(`state sampler, healthy lab: ${JSON.stringify(sampler.stats())}\n`);
  });

  it("crash node1: DOWN in HAProxy, node2's IO thread leaves Yes, node1's database unreachable; heal: all back", async ({
    lab,
    history,
  }) => {
    const h = () => history.events;
    const crash = crashServer("node1");
    const t0 = await inject(lab, history, crash);
    // slave_net_timeout is 4 s in the hardened profile: node2 notices the dead master within ~6 s.
    await waitUntil(
      "node1 DOWN, node2 IO not Yes, node1-db unreachable",
      async () =>
        whenServerState(h(), "node1", "DOWN", t0) !== undefined &&
        h().some(
          (e) => e.type === "replication-state" && e.node === "node2" && e.time > t0 && e.io !== "Yes",
        ) &&
        probesOf(h(), "node1-db", t0).some((p) => !p.ok)
          ? true
          : undefined,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    const down = probesOf(h(), "node1-db", t0).find((p) => !p.ok)!;
    // Refused, or accepted by the engine's port proxy and closed at once: either way a reason is kept.
    expect(down.error).toBeTruthy();
    expect(replicationStateAt(h(), "node1", history.now())).toMatchObject({ io: "unreachable", sql: false });
    // node2, the backup, stayed UP all along.
    expect(serverStateAt(h(), "node2", history.now())).toBe("UP");
    expect(whenServerState(h(), "node2", "DOWN", 0)).toBeUndefined();

    const t1 = await heal(lab, history, crash);
    await waitUntil(
      "node1 UP and replication running both ways",
      async () =>
        whenServerState(h(), "node1", "UP", t1) !== undefined &&
        whenReplicationRunningBoth(h(), t1) !== undefined
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(probesOf(h(), "node1-db", t1).at(-1)).toMatchObject({ ok: true });
    process.stderr.write(
      `crash node1: node1 DOWN after ${((whenServerState(h(), "node1", "DOWN", t0)! - t0) / 1000).toFixed(2)} s; ` +
        `after the heal UP in ${((whenServerState(h(), "node1", "UP", t1)! - t1) / 1000).toFixed(2)} s, ` +
        `replication both ways in ${((whenReplicationRunningBoth(h(), t1)! - t1) / 1000).toFixed(2)} s\n`,
    );
  });

  it("freeze node1's database: reads time out one at a time, no socket piles up, HAProxy keeps being sampled", async ({
    lab,
    history,
    sampler,
  }) => {
    const h = () => history.events;
    const freeze = freezeServices(["node1-db"]);
    const dbPort = lab.endpoints.nodes.node1.db.port;
    const haproxyPolls = sampler.stats()["haproxy-metrics"]!.polls;
    const t0 = await inject(lab, history, freeze);
    let most = 0;
    await waitUntil(
      "node1-db unreachable while frozen",
      async () => {
        most = Math.max(most, socketsTo(dbPort));
        return probesOf(h(), "node1-db", t0).some((p) => !p.ok) ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    // Stay frozen for a few more reads, counting sockets as they come and go.
    for (let i = 0; i < 20; i++) {
      most = Math.max(most, socketsTo(dbPort));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(probesOf(h(), "node1-db", t0).find((p) => !p.ok)!.error).toMatch(
      /ETIMEDOUT|inactivity timeout|no answer/,
    );
    // One connection to the frozen database at a time (the kept one timed out and was destroyed;
    // each next read connects afresh and times out): bounded, however long the freeze.
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(1);
    // ~2 s frozen at 250 ms a poll: HAProxy was not held up by the database's 1 s reads.
    expect(sampler.stats()["haproxy-metrics"]!.polls - haproxyPolls).toBeGreaterThanOrEqual(5);

    const t1 = await heal(lab, history, freeze);
    await waitUntil(
      "node1-db answering and replication running both ways",
      async () =>
        probesOf(h(), "node1-db", t1).some((p) => p.ok) && replicationRunningBoth(h(), history.now())
          ? true
          : undefined,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    await waitUntil(
      "node1 UP",
      async () => (serverStateAt(h(), "node1", history.now()) === "UP" ? true : undefined),
      {
        timeoutMs: 20_000,
        intervalMs: 200,
      },
    );
    // A read ends when its connection is gone: once stopped (and stop is idempotent; its
    // fixture stops it again), the sampler holds no connection to either database.
    await sampler.stop();
    expect(socketsTo(dbPort)).toBe(0);
    expect(socketsTo(lab.endpoints.nodes.node2.db.port)).toBe(0);
  });

  it("the report draws what was sampled: HAProxy and replication lanes through the crash and the freeze", ({
    history,
  }) => {
    const svg = timelineSvg(history.events, "sampler").value;
    for (const text of [
      "haproxy node1",
      "haproxy node2",
      "replication node1",
      "replication node2",
      "watching node1-db",
      "DOWN",
      "IO unreachable, SQL No",
      "IO Yes, SQL Yes",
    ])
      expect(svg).toContain(text);
  });
});
