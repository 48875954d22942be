/**
 * The Ansible deployment path, for real: the playbook deploys the hardened stack onto this machine's
 * Docker engine (the `local` inventory: four servers on one engine), a second run changes nothing,
 * and the very drills of harness/drills run against what it deployed through the `existing`
 * provider, unchanged. Removed by its run label at the end, whatever happened.
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drillSettings } from "../../drills/context.ts";
import { findDrill } from "../../drills/registry.ts";
import { DrillFolder } from "../../store/run-store.ts";
import { runDrill } from "../../drills/run-drill.ts";
import { dockerClient } from "../../engine/docker-client.ts";
import { LABEL_RUN } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import { newRunId } from "../../lab/run-id.ts";
import { prepareEngineAndImages, startLab } from "../start-lab.ts";
import { AppClient } from "../../probes/app-client.ts";
import { stderrProgress } from "../../progress/progress.ts";
import { resolveSettings, type Settings } from "../../settings/settings.ts";
import type { ProfileName } from "../../config/profiles.ts";
import { expectReplicatesBothWays, leftovers } from "../../testing/lab-assertions.ts";
import { runChecked } from "../../util/run.ts";
import {
  ansibleAvailable,
  deployStack,
  localDeployment,
  runPlaybook,
  type LocalDeployment,
} from "./ansible-deploy.ts";
import { totalChanged, type HostRecap } from "./play-recap.ts";

const progress = stderrProgress({ prefix: "ansible" });
const changedHosts = (recap: Record<string, HostRecap>) =>
  Object.entries(recap)
    .filter(([, h]) => h.changed > 0)
    .map(([host, h]) => `${host}: changed=${h.changed}`);

interface Deployment {
  skipReason: string | undefined;
  workDir: string;
  dep: LocalDeployment;
  settings: Settings;
  runId: string;
  times: Record<string, number>;
  firstRecap: Record<string, HostRecap>;
}

/**
 * Deploys `profile` with the playbook before the describe's tests (skipped with the reason where
 * ansible is missing) and removes the deployment by its run label after them, whatever happened.
 */
function ansibleDeployment(profile: ProfileName): Deployment {
  const d = { runId: newRunId(), times: {} } as Deployment;
  beforeAll(async () => {
    const tools = await ansibleAvailable();
    if (!tools.ok) {
      d.skipReason = tools.reason;
      return;
    }
    const base = resolveSettings();
    const { tags } = await prepareEngineAndImages(base, progress);
    d.workDir = mkdtempSync(path.join(os.tmpdir(), "firedrill-ansible-lab-"));
    d.dep = await localDeployment({ runId: d.runId, profile, images: tags, workDir: d.workDir });
    d.settings = { ...base, provider: "existing", inventory: d.dep.labFile };
    // deployStack: a failed first run removes what it started (teardown.yml) before failing here.
    const first = await deployStack({
      clusterDir: base.clusterDir,
      inventory: "local",
      vars: d.dep.vars,
      progress,
    });
    d.times.firstRunSeconds = first.seconds;
    d.firstRecap = first.recap;
  }, 300_000);

  afterAll(async () => {
    process.stderr.write(`ansible deployment (${profile}) timings: ${JSON.stringify(d.times)}\n`);
    if (d.skipReason) return;
    await removeLabeled([`${LABEL_RUN}=${d.runId}`]);
    if (d.workDir) rmSync(d.workDir, { recursive: true, force: true });
    expect(await leftovers(d.runId)).toEqual([]);
  });
  return d;
}

/** Each container of the run by its role label: its id, when it last started, its restart policy. */
async function containersOf(
  runId: string,
): Promise<Record<string, { id: string; startedAt: string; restart: string }>> {
  const docker = dockerClient();
  const list = await docker.listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] }),
  });
  const out: Record<string, { id: string; startedAt: string; restart: string }> = {};
  for (const c of list) {
    const info = await docker.getContainer(c.Id).inspect();
    out[c.Labels["firedrill.role"] ?? c.Id] = {
      id: info.Id,
      startedAt: info.State.StartedAt,
      restart: info.HostConfig.RestartPolicy?.Name ?? "",
    };
  }
  return out;
}

/** A file as the container sees it (through its bind mount). */
async function readInContainer(container: string, file: string): Promise<string> {
  return (await runChecked(["docker", "exec", container, "cat", file], { timeoutMs: 30_000 })).stdout;
}

async function secondRunChangesNothing(d: Deployment): Promise<void> {
  const second = await runPlaybook({
    clusterDir: d.settings.clusterDir,
    playbook: "stack.yml",
    inventory: "local",
    vars: d.dep.vars,
    progress,
  });
  d.times.secondRunSeconds = second.seconds;
  expect(changedHosts(second.recap)).toEqual([]);
  expect(totalChanged(second.recap)).toBe(0);
}

describe("Ansible deployment onto the local engine (hardened), drills through the existing provider", () => {
  const d = ansibleDeployment("hardened");

  it("the first run deploys every server and writes a 0600 lab file", (ctx) => {
    if (d.skipReason) return ctx.skip(d.skipReason);
    expect(Object.keys(d.firstRecap).sort()).toEqual(["control1", "control2", "node1", "node2"]);
    expect(totalChanged(d.firstRecap)).toBeGreaterThan(0);
    expect(statSync(d.dep.labFile).mode & 0o777).toBe(0o600);
  });

  it("every container comes back when its engine starts again, but not from a fault's kill (unless-stopped)", async (ctx) => {
    if (d.skipReason) return ctx.skip(d.skipReason);
    const all = await containersOf(d.runId);
    // Ten services, and a node exporter on each of the four servers.
    expect(Object.keys(all).length).toBe(14);
    for (const [role, c] of Object.entries(all)) expect(c.restart, role).toBe("unless-stopped");
  });

  it("a second run of the playbook changes nothing", async (ctx) => {
    if (d.skipReason) return ctx.skip(d.skipReason);
    await secondRunChangesNothing(d);
  });

  it("smoke: real operations through HAProxy, replication both ways, down only detaches", async (ctx) => {
    if (d.skipReason) return ctx.skip(d.skipReason);
    const t0 = performance.now();
    const lab = await startLab({ profile: "hardened", settings: d.settings, progress });
    expect(lab.runId).toBe(d.runId);
    const client = new AppClient(lab.endpoints.haproxy.url);
    for (let i = 0; i < 10; i++) {
      const list = await client.createList(`ansible-smoke-${d.runId}-${i}`);
      expect(list.status).toBe(201);
      const item = await client.addItem(list.body.id, `item ${i}`);
      expect(item.status).toBe(201);
      const read = await client.getItem(item.body.id);
      expect([read.status, read.body.text, read.servedBy]).toEqual([200, `item ${i}`, "node1"]);
    }
    // The hardened bootstrap: GTID, retrying every second.
    await expectReplicatesBothWays(lab, { usingGtid: "Slave_Pos", connectRetry: 1 });
    await lab.down();
    // The existing provider did not start the lab, so it must not remove it.
    const still = await dockerClient().listContainers({
      filters: JSON.stringify({ label: [`${LABEL_RUN}=${d.runId}`] }),
    });
    expect(still.length).toBe(14);
    d.times.smokeSeconds = (performance.now() - t0) / 1000;
  });

  // A container fault (kill) and a network fault (nft in the databases' namespaces, through the
  // lab's engine): the drills of harness/drills, unchanged, through runDrill.
  it.for([findDrill("crash-node1"), findDrill("split-replication")])(
    "$id passes against the deployment",
    { timeout: 300_000 },
    async (drill, ctx) => {
      if (d.skipReason) return ctx.skip(d.skipReason);
      const t0 = performance.now();
      const runDir = path.join(d.workDir, "reports");
      const result = await runDrill(drill, "hardened", {
        folder: new DrillFolder(runDir, drill.id, "hardened"),
        settings: drillSettings(d.settings, process.env),
        progress,
      });
      d.times[`${drill.id}Seconds`] = (performance.now() - t0) / 1000;
      process.stderr.write(`${drill.id} on the Ansible deployment: ${JSON.stringify(result.figures)}\n`);
      expect(result.verdict, result.findings.join("\n")).toBe("pass");
    },
  );
});

describe("Ansible deployment onto the local engine (seed): file and position replication, idempotent, teardown.yml", () => {
  const d = ansibleDeployment("seed");

  it("a second run of the playbook changes nothing", async (ctx) => {
    if (d.skipReason) return ctx.skip(d.skipReason);
    await secondRunChangesNothing(d);
  });

  it("replicates both ways, set up as the original: file and position, MASTER_CONNECT_RETRY=60", async (ctx) => {
    if (d.skipReason) return ctx.skip(d.skipReason);
    const lab = await startLab({ profile: "seed", settings: d.settings, progress });
    const created = await new AppClient(lab.endpoints.haproxy.url).createList(`ansible-seed-${d.runId}`);
    expect(created.status).toBe(201);
    await expectReplicatesBothWays(lab, {
      ioRunning: "Yes",
      sqlRunning: "Yes",
      usingGtid: "No",
      connectRetry: 60,
    });
    await lab.down();
  });

  // Single-file bind mounts keep showing the file a container started with: a changed file must
  // restart its container (the role's `restart` on the container task), and only that one.
  it("a changed haproxy.cfg restarts HAProxy (the same container, started again) and nothing else", async (ctx) => {
    if (d.skipReason) return ctx.skip(d.skipReason);
    const before = await containersOf(d.runId);
    const copy = mkdtempSync(path.join(d.workDir, "config-"));
    cpSync(path.join(d.settings.clusterDir, "config"), copy, { recursive: true });
    const marker = `# changed by the Ansible deployment test (${d.runId})`;
    appendFileSync(path.join(copy, "seed", "haproxy.cfg"), `${marker}\n`);
    const changed = await runPlaybook({
      clusterDir: d.settings.clusterDir,
      playbook: "stack.yml",
      inventory: "local",
      vars: { ...d.dep.vars, firedrill_config_dir: copy },
      progress,
    });
    d.times.configChangeSeconds = changed.seconds;
    // The render and the restart, on control2 only.
    expect(changedHosts(changed.recap)).toEqual(["control2: changed=2"]);
    const after = await containersOf(d.runId);
    for (const [role, c] of Object.entries(after)) {
      expect(c.id, role).toBe(before[role]!.id);
      if (role === "haproxy") expect(c.startedAt, role).not.toBe(before[role]!.startedAt);
      else expect(c.startedAt, role).toBe(before[role]!.startedAt);
    }
    const seen = await readInContainer(`${d.runId}-haproxy`, "/etc/haproxy/haproxy.cfg");
    expect(seen).toContain(marker);
    // And it still routes (the role waited for it; the app answers through it).
    const lab = await startLab({ profile: "seed", settings: d.settings, progress });
    expect(
      (await new AppClient(lab.endpoints.haproxy.url).createList(`ansible-restart-${d.runId}`)).status,
    ).toBe(201);
    await lab.down();
  });

  it("teardown.yml removes every container and the network of the run", async (ctx) => {
    if (d.skipReason) return ctx.skip(d.skipReason);
    const down = await runPlaybook({
      clusterDir: d.settings.clusterDir,
      playbook: "teardown.yml",
      inventory: "local",
      vars: { firedrill_run_id: d.runId, firedrill_state_dir: d.dep.stateDir },
      progress,
    });
    d.times.teardownSeconds = down.seconds;
    expect(await leftovers(d.runId)).toEqual([]);
  });
});
