/**
 * The machines provider for real: four machine containers, each with its own Docker engine and sshd,
 * the stack deployed into them by cluster/ansible over SSH, attached through the lab file. Hardened:
 * every endpoint on 127.0.0.1 answers, HAProxy routes to node1, replication works both ways, nothing
 * of the stack runs on this machine's engine, each server can be frozen, reached as root and powered
 * off and on (its services come back), and down() leaves nothing but the image caches. Seed: it comes
 * up and replicates as the original does. Skipped, with the reason, where the provider cannot run.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProfileName } from "../../config/profiles.ts";
import { verifyRoundTrip } from "../../db/replication-check.ts";
import { queryRows, withRoot } from "../../db/sql.ts";
import { dockerClient } from "../../engine/docker-client.ts";
import { ProviderUnavailableError, type Lab } from "../../lab/lab.ts";
import { LABEL_ROLE, LABEL_RUN } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import { newRunId } from "../../lab/run-id.ts";
import { startLab } from "../start-lab.ts";
import { AppClient } from "../../probes/app-client.ts";
import { stderrProgress } from "../../progress/progress.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { expectReplicatesBothWays, leftovers } from "../../testing/lab-assertions.ts";
import { serverNames, topology } from "../../topology/topology.ts";
import { waitUntil } from "../../util/wait-until.ts";
import { listCacheVolumes } from "./machine-cache-volumes.ts";
import type { MachinesLab as DeployedMachines } from "./machines-provider.ts";

interface MachinesLab {
  lab: Lab | undefined;
  skipReason: string | undefined;
  runId: string;
  upSeconds: number;
}

/** Brings a machines lab up before the describe's tests; removes it by its run label after them, whatever happened. */
function machinesLab(profile: ProfileName): MachinesLab {
  const m: MachinesLab = { lab: undefined, skipReason: undefined, runId: newRunId(), upSeconds: 0 };
  const progress = stderrProgress({ prefix: `machines ${profile}` });
  beforeAll(async () => {
    const t0 = performance.now();
    try {
      m.lab = await startLab({
        profile,
        runId: m.runId,
        settings: { ...resolveSettings(), provider: "machines" },
        progress,
      });
    } catch (err) {
      if (!(err instanceof ProviderUnavailableError)) throw err;
      m.skipReason = err.message;
    }
    m.upSeconds = (performance.now() - t0) / 1000;
    process.stderr.write(`machines lab (${profile}) up in ${m.upSeconds.toFixed(1)} s\n`);
  }, 900_000);
  afterAll(async () => {
    await m.lab?.down();
    await removeLabeled([`${LABEL_RUN}=${m.runId}`]);
  }, 120_000);
  return m;
}

async function answers(url: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.status;
}

describe("machines provider (hardened): the four servers as machines, deployed by Ansible over SSH", () => {
  const m = machinesLab("hardened");

  it("every endpoint is on 127.0.0.1 and answers", async (ctx) => {
    if (m.skipReason) return ctx.skip(m.skipReason);
    const e = m.lab!.endpoints;
    const auth = {
      Authorization: `Basic ${Buffer.from(`${e.haproxy.statsUser}:${e.haproxy.statsPassword}`).toString("base64")}`,
    };
    const urls = [
      e.haproxy.url,
      e.haproxy.statsUrl,
      e.haproxy.metricsUrl,
      e.prometheus.url,
      e.alertmanager.url,
      e.receiver.url,
      ...(["node1", "node2"] as const).flatMap((n) => [e.nodes[n].app.url, e.nodes[n].exporter.url]),
    ];
    for (const u of urls) expect(new URL(u).hostname, u).toBe("127.0.0.1");
    expect(await answers(`${e.haproxy.url}/healthz`)).toBe(200);
    expect(await answers(e.haproxy.statsUrl, { headers: auth })).toBe(200);
    expect(await answers(e.haproxy.metricsUrl)).toBe(200);
    expect(await answers(`${e.prometheus.url}/-/ready`)).toBe(200);
    expect(await answers(`${e.alertmanager.url}/-/ready`)).toBe(200);
    expect(await answers(`${e.receiver.url}/healthz`)).toBe(200);
    for (const n of ["node1", "node2"] as const) {
      expect(await answers(`${e.nodes[n].app.url}/healthz`), n).toBe(200);
      expect(await answers(`${e.nodes[n].exporter.url}/metrics`), n).toBe(200);
      expect(e.nodes[n].db.host).toBe("127.0.0.1");
      const one = await withRoot(e.nodes[n].db, (c) => queryRows(c, "SELECT 1 AS one"));
      expect(
        one.map((r) => r.one),
        n,
      ).toEqual([1]);
    }
  });

  it("HAProxy routes to node1, and replication works both ways", async (ctx) => {
    if (m.skipReason) return ctx.skip(m.skipReason);
    const lab = m.lab!;
    const client = new AppClient(lab.endpoints.haproxy.url);
    for (let i = 0; i < 10; i++) {
      const list = await client.createList(`machines-${m.runId}-${i}`);
      expect([list.status, list.servedBy]).toEqual([201, "node1"]);
      const read = await client.getList(list.body.id);
      expect([read.status, read.body.title, read.servedBy]).toEqual([
        200,
        `machines-${m.runId}-${i}`,
        "node1",
      ]);
    }
    await expectReplicatesBothWays(lab, {
      usingGtid: "Slave_Pos",
      connectRetry: 1,
    });
  });

  it("nothing of the stack runs on this machine's engine: only the four machines carry the run's label", async (ctx) => {
    if (m.skipReason) return ctx.skip(m.skipReason);
    const docker = dockerClient();
    const ours = await docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`${LABEL_RUN}=${m.runId}`] }),
    });
    expect(ours.map((c) => c.Names[0]?.replace(/^\//, "")).sort()).toEqual(
      serverNames.map((s) => `${m.runId}-${s}`).sort(),
    );
    expect(new Set(ours.map((c) => c.Labels[LABEL_ROLE]))).toEqual(new Set(["machine"]));
    const all = (await docker.listContainers({ all: true })).map((c) => c.Names[0]?.replace(/^\//, ""));
    for (const s of topology) expect(all).not.toContain(`${m.runId}-${s.alias}`);
    // Each service runs in its own server's engine (the lab's engines are the machines, over SSH).
    for (const s of topology.filter((x) => x.image)) {
      const info = await m.lab!.container(s.alias).inspect();
      expect(info.State.Running, s.alias).toBe(true);
      expect(info.Config.Labels?.["firedrill.server"], s.alias).toBe(s.server);
    }
  });

  it("Lab.servers: address and interface on the lab network, a root shell, a freeze that stops HAProxy", async (ctx) => {
    if (m.skipReason) return ctx.skip(m.skipReason);
    const servers = m.lab!.servers!;
    const addresses = serverNames.map((s) => servers.address(s));
    expect(new Set(addresses).size).toBe(4);
    const r = await servers.exec("node1", `id -u; ip -o -4 addr show dev ${servers.interface("node1")}`);
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(
      new RegExp(`^0\\n[\\s\\S]*inet ${servers.address("node1").replaceAll(".", "\\.")}/`),
    );
    // node1 reaches node2's published database port across the lab network.
    const peer = await servers.exec(
      "node1",
      `timeout 3 bash -c 'exec 3<>/dev/tcp/${servers.address("node2")}/3306'`,
    );
    expect(peer.exitCode, peer.output).toBe(0);
    expect((await servers.exec("node2", "exit 3")).exitCode).toBe(3);

    const url = `${m.lab!.endpoints.haproxy.url}/healthz`;
    await servers.pause("control2");
    try {
      await expect(answers(url)).rejects.toThrow();
    } finally {
      await servers.resume("control2");
    }
    expect(await answers(url)).toBe(200);
  });

  it("Lab.servers: node2 powered off takes its services down; powered on, its engine brings them back and replication resumes", async (ctx) => {
    if (m.skipReason) return ctx.skip(m.skipReason);
    const lab = m.lab!;
    const servers = lab.servers!;
    const app2 = `${lab.endpoints.nodes.node2.app.url}/healthz`;
    await servers.powerOff("node2");
    await expect(answers(app2)).rejects.toThrow();
    // Written while node2 is off: it must arrive once node2 is back.
    const list = await new AppClient(lab.endpoints.haproxy.url).createList(`machines-off-${m.runId}`);
    expect([list.status, list.servedBy]).toEqual([201, "node1"]);
    const t0 = performance.now();
    await servers.powerOn("node2");
    await waitUntil(
      "node2's app answers after power-on",
      async () => ((await answers(app2).catch(() => 0)) === 200 ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    );
    await waitUntil(
      "the list written while node2 was off, on node2",
      async () => {
        const rows = await withRoot(
          lab.endpoints.nodes.node2.db,
          (c) => queryRows(c, "SELECT title FROM todo_list WHERE id = ?", [list.body.id]),
          lab.endpoints.nodes.node2.db.database,
        );
        return rows.length === 1 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    process.stderr.write(`node2 power-on to replicated: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    await verifyRoundTrip(
      { name: "node1", db: lab.endpoints.nodes.node1.db },
      { name: "node2", db: lab.endpoints.nodes.node2.db },
      30_000,
    );
  });

  it("down() removes the machines, the network and the run's key, and keeps the image caches", async (ctx) => {
    if (m.skipReason) return ctx.skip(m.skipReason);
    const settings = resolveSettings();
    const keyDir = path.join(settings.stateDir, "machines", m.runId);
    expect(existsSync(path.join(keyDir, "id_ed25519"))).toBe(true);
    await m.lab!.down();
    expect(await leftovers(m.runId)).toEqual([]);
    expect(existsSync(keyDir)).toBe(false);
    const caches = await listCacheVolumes(dockerClient());
    for (const s of serverNames)
      expect(
        caches.some((v) => v.endsWith(`-${s}`)),
        s,
      ).toBe(true);
  });
});

describe("machines provider (seed): the original's replication, on the machines", () => {
  const m = machinesLab("seed");

  it("comes up, routes to node1 and replicates both ways by file and position", async (ctx) => {
    if (m.skipReason) return ctx.skip(m.skipReason);
    const lab = m.lab!;
    const created = await new AppClient(lab.endpoints.haproxy.url).createList(`machines-seed-${m.runId}`);
    expect([created.status, created.servedBy]).toEqual([201, "node1"]);
    await expectReplicatesBothWays(lab, {
      ioRunning: "Yes",
      sqlRunning: "Yes",
      usingGtid: "No",
      connectRetry: 60,
    });
  });

  it("a second stack.yml run over SSH changes nothing; teardown.yml leaves none of the run's containers on the servers", async (ctx) => {
    if (m.skipReason) return ctx.skip(m.skipReason);
    const lab = m.lab as DeployedMachines;
    const again = await lab.deployment.rerun();
    expect(Object.keys(again.recap).sort()).toEqual([...serverNames].sort());
    for (const [host, r] of Object.entries(again.recap))
      expect([host, r.changed, r.failed]).toEqual([host, 0, 0]);
    process.stderr.write(
      `machines (seed): second stack.yml run in ${again.seconds.toFixed(1)} s, changed=0\n`,
    );
    const down = await lab.deployment.teardown();
    expect(Object.values(down.recap).every((r) => r.failed === 0)).toBe(true);
    for (const s of serverNames) {
      const r = await lab.servers!.exec(s, `docker ps -aq --filter label=${LABEL_RUN}=${m.runId} | wc -l`);
      expect([s, r.output.trim()]).toEqual([s, "0"]);
    }
    await lab.down();
    expect(await leftovers(m.runId)).toEqual([]);
  });
});
