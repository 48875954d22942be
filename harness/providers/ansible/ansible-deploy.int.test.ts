/**
 * The Ansible deployment path, for real: the playbook deploys the hardened stack onto this machine's
 * Docker engine (the `local` inventory: four servers on one engine), a second run changes nothing,
 * and the very drills of harness/drills run against what it deployed through the `existing`
 * provider, unchanged. Removed by its run label at the end, whatever happened.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyRoundTrip } from "../../db/replication-check.ts";
import { slaveState } from "../../db/replication.ts";
import { crashNode1 } from "../../drills/crash-node1.ts";
import { runDrill } from "../../drills/run-drill.ts";
import { dockerClient } from "../../engine/docker-client.ts";
import { LABEL_RUN } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import { newRunId } from "../../lab/run-id.ts";
import { prepareEngineAndImages, startLab } from "../../lab/start-lab.ts";
import { AppClient } from "../../probes/app-client.ts";
import { stderrProgress } from "../../progress/progress.ts";
import { resolveSettings, type Settings } from "../../settings/settings.ts";
import { leftovers } from "../../testing/lab-assertions.ts";
import { ansibleAvailable, localDeployment, runPlaybook, type LocalDeployment } from "./ansible-deploy.ts";
import { totalChanged, type HostRecap } from "./play-recap.ts";

const progress = stderrProgress({ prefix: "ansible" });
const changedHosts = (recap: Record<string, HostRecap>) =>
  Object.entries(recap)
    .filter(([, h]) => h.changed > 0)
    .map(([host, h]) => `${host}: changed=${h.changed}`);

describe("Ansible deployment onto the local engine (hardened), drills through the existing provider", () => {
  let skipReason: string | undefined;
  let workDir: string;
  let dep: LocalDeployment;
  let settings: Settings;
  const runId = newRunId();
  const times: Record<string, number> = {};
  let firstRecap: Record<string, HostRecap>;

  beforeAll(async () => {
    const tools = await ansibleAvailable();
    if (!tools.ok) {
      skipReason = tools.reason;
      return;
    }
    const base = resolveSettings();
    const { tags } = await prepareEngineAndImages(base, progress);
    workDir = mkdtempSync(path.join(os.tmpdir(), "firedrill-ansible-lab-"));
    dep = await localDeployment({ runId, profile: "hardened", images: tags, workDir });
    settings = { ...base, provider: "existing", inventory: dep.labFile };
    const first = await runPlaybook({
      clusterDir: base.clusterDir,
      playbook: "stack.yml",
      inventory: "local",
      vars: dep.vars,
      progress,
    });
    times.firstRunSeconds = first.seconds;
    firstRecap = first.recap;
  }, 300_000);

  afterAll(async () => {
    process.stderr.write(`ansible deployment timings: ${JSON.stringify(times)}\n`);
    if (skipReason) return;
    await removeLabeled([`${LABEL_RUN}=${runId}`]);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    expect(await leftovers(runId)).toEqual([]);
  });

  it("the first run deploys every server and writes a 0600 lab file", (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    expect(Object.keys(firstRecap).sort()).toEqual(["control1", "control2", "node1", "node2"]);
    expect(totalChanged(firstRecap)).toBeGreaterThan(0);
    expect(statSync(dep.labFile).mode & 0o777).toBe(0o600);
  });

  it("a second run of the playbook changes nothing", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const second = await runPlaybook({
      clusterDir: settings.clusterDir,
      playbook: "stack.yml",
      inventory: "local",
      vars: dep.vars,
      progress,
    });
    times.secondRunSeconds = second.seconds;
    expect(changedHosts(second.recap)).toEqual([]);
    expect(totalChanged(second.recap)).toBe(0);
  });

  it("smoke: real operations through HAProxy, replication both ways, down only detaches", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const t0 = performance.now();
    const lab = await startLab({ profile: "hardened", settings, progress });
    expect(lab.runId).toBe(runId);
    const client = new AppClient(lab.endpoints.haproxy.url);
    for (let i = 0; i < 10; i++) {
      const list = await client.createList(`ansible-smoke-${runId}-${i}`);
      expect(list.status).toBe(201);
      const item = await client.addItem(list.body.id, `item ${i}`);
      expect(item.status).toBe(201);
      const read = await client.getItem(item.body.id);
      expect([read.status, read.body.text, read.servedBy]).toEqual([200, `item ${i}`, "node1"]);
    }
    await verifyRoundTrip(
      { name: "node1", db: lab.endpoints.nodes.node1.db },
      { name: "node2", db: lab.endpoints.nodes.node2.db },
      20_000,
    );
    // The hardened bootstrap: GTID, retrying every second.
    for (const n of ["node1", "node2"] as const)
      expect(await slaveState(lab.endpoints.nodes[n].db)).toMatchObject({
        usingGtid: "Slave_Pos",
        connectRetry: 1,
      });
    await lab.down();
    // The existing provider did not start the lab, so it must not remove it.
    const still = await dockerClient().listContainers({
      filters: JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] }),
    });
    expect(still.length).toBe(10);
    times.smokeSeconds = (performance.now() - t0) / 1000;
  });

  it("crash-node1 (the drill of harness/drills, through runDrill) passes against the deployment", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const t0 = performance.now();
    const runDir = path.join(workDir, "reports");
    const result = await runDrill(crashNode1, "hardened", { runDir, settings, progress });
    times.crashNode1Seconds = (performance.now() - t0) / 1000;
    process.stderr.write(`crash-node1 on the Ansible deployment: ${JSON.stringify(result.figures)}\n`);
    expect(result.verdict, result.findings.join("\n")).toBe("pass");
  }, 300_000);
});

describe("Ansible deployment onto the local engine (seed): file and position replication, idempotent, teardown.yml", () => {
  let skipReason: string | undefined;
  let workDir: string;
  let dep: LocalDeployment;
  let settings: Settings;
  const runId = newRunId();
  const times: Record<string, number> = {};

  beforeAll(async () => {
    const tools = await ansibleAvailable();
    if (!tools.ok) {
      skipReason = tools.reason;
      return;
    }
    const base = resolveSettings();
    const { tags } = await prepareEngineAndImages(base, progress);
    workDir = mkdtempSync(path.join(os.tmpdir(), "firedrill-ansible-lab-"));
    dep = await localDeployment({ runId, profile: "seed", images: tags, workDir });
    settings = { ...base, provider: "existing", inventory: dep.labFile };
    const first = await runPlaybook({
      clusterDir: base.clusterDir,
      playbook: "stack.yml",
      inventory: "local",
      vars: dep.vars,
      progress,
    });
    times.firstRunSeconds = first.seconds;
  }, 300_000);

  afterAll(async () => {
    process.stderr.write(`ansible deployment (seed) timings: ${JSON.stringify(times)}\n`);
    if (skipReason) return;
    await removeLabeled([`${LABEL_RUN}=${runId}`]);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    expect(await leftovers(runId)).toEqual([]);
  });

  it("a second run of the playbook changes nothing", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const second = await runPlaybook({
      clusterDir: settings.clusterDir,
      playbook: "stack.yml",
      inventory: "local",
      vars: dep.vars,
      progress,
    });
    times.secondRunSeconds = second.seconds;
    expect(changedHosts(second.recap)).toEqual([]);
  });

  it("replicates both ways, set up as the original: file and position, MASTER_CONNECT_RETRY=60", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const lab = await startLab({ profile: "seed", settings, progress });
    const created = await new AppClient(lab.endpoints.haproxy.url).createList(`ansible-seed-${runId}`);
    expect(created.status).toBe(201);
    await verifyRoundTrip(
      { name: "node1", db: lab.endpoints.nodes.node1.db },
      { name: "node2", db: lab.endpoints.nodes.node2.db },
      20_000,
    );
    for (const n of ["node1", "node2"] as const)
      expect(await slaveState(lab.endpoints.nodes[n].db)).toMatchObject({
        ioRunning: "Yes",
        sqlRunning: "Yes",
        usingGtid: "No",
        connectRetry: 60,
      });
    await lab.down();
  });

  it("teardown.yml removes every container and the network of the run", async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const down = await runPlaybook({
      clusterDir: settings.clusterDir,
      playbook: "teardown.yml",
      inventory: "local",
      vars: { firedrill_run_id: runId, firedrill_state_dir: dep.stateDir },
      progress,
    });
    times.teardownSeconds = down.seconds;
    expect(await leftovers(runId)).toEqual([]);
  });
});
