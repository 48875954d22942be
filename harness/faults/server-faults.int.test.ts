import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { slaveState } from "../db/replication.ts";
import { ProviderUnavailableError, type Lab } from "../lab/lab.ts";
import { startLab } from "../providers/start-lab.ts";
import { AppClient } from "../probes/app-client.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";
import { LABEL_RUN } from "../lab/labels.ts";
import { removeLabeled } from "../lab/reaper.ts";
import { newRunId } from "../lab/run-id.ts";
import { nodeNames, type NodeName } from "../topology/topology.ts";
import { waitUntil } from "../util/wait-until.ts";
import { crashServer } from "./kinds/crash-server.ts";
import { containerTarget } from "./container-target.ts";
import { replicationStalled } from "./effects/replication-stalled.ts";
import type { Fault } from "./fault.ts";
import { requireSupported, targetOf } from "./lab-target.ts";
import { partition } from "./kinds/partition.ts";
import { splitReplication } from "./kinds/split-replication.ts";

// Server-level faults on a lab with real servers: the machines provider's four machine containers,
// each with its own engine, the stack deployed into them. Replication there travels between the
// servers' addresses through published ports, so these prove the server target's rules where
// container addresses would match nothing (the planted case below shows it live). Where machine
// containers cannot run here, the tests are skipped with the provider's reason, never passed.

describe("server-level faults on a multi-host lab (machines provider)", () => {
  let lab: Lab | undefined;
  let unavailable: string | undefined;
  let client: AppClient;

  const need = (ctx: TestContext): Lab => {
    if (!lab || unavailable) ctx.skip(unavailable ?? "no machines lab");
    return lab!;
  };
  const io = async (node: NodeName) => (await slaveState(lab!.endpoints.nodes[node].db))?.ioRunning;
  const servedBy = async () => (await client.home().catch(() => undefined))?.servedBy;
  const waitServedBy = (node: string, timeoutMs: number) =>
    waitUntil(`traffic served by ${node}`, async () => ((await servedBy()) === node ? true : undefined), {
      timeoutMs,
      intervalMs: 250,
    });
  /** Both replicas' threads running: the lab is whole again. */
  const waitReplicating = (timeoutMs: number) =>
    waitUntil(
      "replication running both ways",
      async () => {
        const states = await Promise.all(nodeNames.map((n) => slaveState(lab!.endpoints.nodes[n].db)));
        if (states.every((s) => s?.ioRunning === "Yes" && s.sqlRunning === "Yes")) return true;
        throw new Error(
          states.map((s, i) => `${nodeNames[i]} IO=${s?.ioRunning} SQL=${s?.sqlRunning}`).join(", "),
        );
      },
      { timeoutMs, intervalMs: 500 },
    );
  const effectSeen = (f: Fault, timeoutMs = 20_000) =>
    waitUntil(`effect of ${f.name}: ${f.effect!.description}`, f.effect!.watch(lab!), {
      timeoutMs,
      intervalMs: 250,
    });
  /** What each test saw, in the run's output: a pass says what it rests on. */
  const note = (line: string) => process.stderr.write(`server-faults: ${line}\n`);
  const healTwice = async (f: Fault) => {
    await f.heal(lab!);
    await f.heal(lab!);
  };

  const runId = newRunId();
  beforeAll(async () => {
    try {
      lab = await startLab({
        profile: "hardened",
        runId,
        settings: { ...resolveSettings(), provider: "machines" },
        progress: stderrProgress({ prefix: "machines hardened" }),
      });
    } catch (err) {
      // No engine that allows machine containers, no Ansible: skipped with the reason, never passed.
      if (!(err instanceof ProviderUnavailableError)) throw err;
      unavailable = err.message;
      return;
    }
    if (!lab.servers) {
      unavailable =
        "the machines lab came up without server access (Lab.servers): nothing server-level to test";
      return;
    }
    client = new AppClient(lab.endpoints.haproxy.url, 3000);
  }, 900_000);
  afterAll(async () => {
    await lab?.down();
    // Whatever happened above, nothing of this run stays.
    await removeLabeled([`${LABEL_RUN}=${runId}`]);
  }, 120_000);

  it("the lab's faults act on its servers, and the servers have what network faults need", async (ctx) => {
    const l = need(ctx);
    expect(targetOf(l).level).toBe("servers");
    await requireSupported(l, splitReplication());
    await waitReplicating(30_000);
  });

  it("partition node1 | node2: node1's shell cannot reach node2, replication stops (an IO thread not running); the heal brings it back", async (ctx) => {
    const l = need(ctx);
    const f = partition("node1", "node2");
    expect(await f.effect!.watch(l)()).toBeUndefined();
    try {
      await f.inject(l);
      const evidence = await effectSeen(f);
      note(`partition node1 | node2: ${evidence}`);
      expect(evidence).toMatch(
        /^a TCP connect from node1 to node2-db \(\d+\.\d+\.\d+\.\d+:\d+\) failed within 1 s$/,
      );
      // slave_net_timeout = 4 in the hardened profile: a silent cut is noticed within seconds.
      const stopped = await waitUntil(
        "an IO thread not running",
        async () => {
          const [one, two] = await Promise.all([io("node1"), io("node2")]);
          return one !== "Yes" ? `node1 IO=${one}` : two !== "Yes" ? `node2 IO=${two}` : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      note(`partition node1 | node2: replication stopped: ${stopped}`);
      expect(stopped).toMatch(/IO=(No|Connecting)/);
    } finally {
      await healTwice(f);
    }
    await waitReplicating(60_000);
    expect(await f.effect!.watch(l)()).toBeUndefined();
  });

  /** Creates lists through HAProxy every 200 ms while `during` runs (at most 200); the last acknowledged id. */
  const writingWhile = async (during: () => Promise<void>): Promise<number | undefined> => {
    let last: number | undefined;
    const writes = new AbortController();
    const writing = (async () => {
      for (let i = 0; i < 200 && !writes.signal.aborted; i++) {
        const r = await client.createList(`server-faults-${Date.now()}-${i}`).catch(() => undefined);
        if (r?.status === 201) last = r.body.id;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await during();
    } finally {
      writes.abort();
      await writing;
    }
    return last;
  };
  const onNode2 = (id: number) =>
    waitUntil(
      `list ${id} replicated to node2`,
      async () =>
        (await new AppClient(lab!.endpoints.nodes.node2.app.url, 3000).getList(id).catch(() => undefined))
          ?.status === 200
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 250 },
    );

  it("planted: the container-level split (each database's namespace drops the other database's container address) stops nothing here", async (ctx) => {
    const l = need(ctx);
    // What firedrill did on every lab before: on a multi-host lab the peer's packets arrive from its
    // server's address, so rules naming container addresses match nothing and replication goes on.
    const old = containerTarget(l);
    const what = { kind: "split-replication" } as const;
    const look = replicationStalled().watch(l);
    let seen: string | undefined;
    try {
      const last = await writingWhile(async () => {
        for (const step of await old.injectSteps(what)) {
          const r = await old.run(step.at, step.script);
          expect(r.exitCode, r.output).toBe(0);
        }
        const until = performance.now() + 10_000;
        while (performance.now() < until && seen === undefined) {
          seen = await look().catch(() => undefined);
          await new Promise((r) => setTimeout(r, 250));
        }
      });
      expect(seen).toBeUndefined();
      expect(last).toBeDefined();
      await onNode2(last!);
      note(
        `planted container-level split: no stall in 10 s of writes; list ${last} reached node2 under its rules`,
      );
    } finally {
      for (const step of old.healSteps(what)) await old.run(step.at, step.script, { heal: true });
    }
  });

  it("split replication at server level: writes through HAProxy stop reaching node2; the heal lets them through", async (ctx) => {
    const l = need(ctx);
    const f = splitReplication();
    let last: number | undefined;
    try {
      expect(await f.effect!.watch(l)()).toBeUndefined();
      // Writes go on while the effect is looked for: a stalled replica is one behind a moving master.
      last = await writingWhile(async () => {
        await f.inject(l);
        const evidence = await effectSeen(f, 30_000);
        note(`split replication: ${evidence}`);
        expect(evidence).toMatch(/node[12]/);
      });
    } finally {
      await healTwice(f);
    }
    expect(last).toBeDefined();
    await waitReplicating(60_000);
    await onNode2(last!);
    note(`split replication healed: list ${last} on node2`);
  });

  it("crash node1 (power off): its services do not answer and HAProxy routes to node2; power on brings node1's stack back", async (ctx) => {
    const l = need(ctx);
    await waitServedBy("node1", 30_000);
    const f = crashServer("node1");
    expect(await f.effect!.watch(l)()).toBeUndefined();
    try {
      await f.inject(l);
      const evidence = await effectSeen(f);
      note(`crash node1: ${evidence}`);
      expect(evidence).toMatch(/^node1-db: .*; node1-exporter: .*; node1-app: /);
      const t0 = performance.now();
      await waitServedBy("node2", 30_000);
      note(`crash node1: served by node2 ${((performance.now() - t0) / 1000).toFixed(1)} s after the effect`);
    } finally {
      await healTwice(f);
    }
    const t1 = performance.now();
    await waitServedBy("node1", 180_000);
    await waitReplicating(120_000);
    note(
      `crash node1: powered on; served by node1 and replicating both ways ${((performance.now() - t1) / 1000).toFixed(1)} s after the heal`,
    );
    expect(await f.effect!.watch(l)()).toBeUndefined();
  }, 400_000);
});
