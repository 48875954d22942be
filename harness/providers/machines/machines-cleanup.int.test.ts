/**
 * What a machines lab leaves when its run ends badly: Ctrl-C during `up` removes the machines, the
 * network and the run's key; a run killed with SIGKILL leaves its machines, which the next run's
 * reaper removes; a deploy that fails removes what was started; the image cache volumes survive
 * all of these. And where a tool is missing, `up --provider machines` says so in one line and exits
 * 2, starting nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { dockerClient } from "../../engine/docker-client.ts";
import { LabStateStore } from "../../lab/lab-state.ts";
import { LABEL_FIREDRILL, LABEL_PID, LABEL_ROLE, LABEL_RUN } from "../../lab/labels.ts";
import { reapAbandoned, removeLabeled } from "../../lab/reaper.ts";
import { startLab } from "../start-lab.ts";
import { stderrProgress } from "../../progress/progress.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { leftovers } from "../../testing/lab-assertions.ts";
import { waitUntil } from "../../util/wait-until.ts";
import { machineTools } from "./machines-provider.ts";
import { listCacheVolumes } from "./machine-cache-volumes.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const cli = path.join(repoRoot, "bin", "firedrill.mjs");
const started: string[] = [];

/** Starts `firedrill up --provider machines` and waits until its four machines run; returns its run id. */
async function upUntilMachinesRun(child: ChildProcess): Promise<string> {
  return waitUntil(
    "the run's four machines are running",
    async () => {
      if (child.exitCode !== null) throw new Error(`up exited ${child.exitCode} before its machines ran`);
      const cs = await dockerClient().listContainers({
        filters: JSON.stringify({
          label: [`${LABEL_FIREDRILL}=1`, `${LABEL_PID}=${child.pid}`, `${LABEL_ROLE}=machine`],
          status: ["running"],
        }),
      });
      const run = cs[0]?.Labels[LABEL_RUN];
      if (run && !started.includes(run)) started.push(run);
      return cs.length === 4 ? run : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 200 },
  );
}

describe("machines lab cleanup", () => {
  afterAll(async () => {
    for (const run of started) await removeLabeled([`${LABEL_RUN}=${run}`]);
  });

  it("Ctrl-C during up removes the machines, the network and the key, exits 130; the caches stay", async (ctx) => {
    const tools = await machineTools();
    if (!tools.ok) return ctx.skip(tools.reason);
    const child = spawn("node", [cli, "up", "--provider", "machines", "--profile", "hardened"], {
      cwd: repoRoot,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const runId = await upUntilMachinesRun(child);
    const keyDir = path.join(resolveSettings().stateDir, "machines", runId);
    expect(existsSync(keyDir)).toBe(true);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("SIGINT received");
    expect(await leftovers(runId)).toEqual([]);
    expect(existsSync(keyDir)).toBe(false);
    expect((await listCacheVolumes(dockerClient())).length).toBeGreaterThanOrEqual(4);
  }, 360_000);

  it("a run killed with SIGKILL leaves its machines; the next run's reaper removes them and spares the caches", async (ctx) => {
    const tools = await machineTools();
    if (!tools.ok) return ctx.skip(tools.reason);
    const child = spawn("node", [cli, "up", "--provider", "machines", "--profile", "seed", "--quiet"], {
      cwd: repoRoot,
      stdio: "ignore",
    });
    const runId = await upUntilMachinesRun(child);
    const volumes = (await dockerClient().getContainer(`${runId}-node1`).inspect()).Mounts.filter(
      (mt) => mt.Type === "volume",
    ).map((mt) => mt.Name!);
    expect(volumes).toHaveLength(1);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(await leftovers(runId)).not.toEqual([]);

    const store = new LabStateStore(resolveSettings().stateDir);
    const reaped = await reapAbandoned((run) => store.has(run), stderrProgress({ prefix: "reaper" }));
    expect(reaped).toContain(runId);
    expect(await leftovers(runId)).toEqual([]);
    expect(await listCacheVolumes(dockerClient())).toContain(volumes[0]);
  }, 360_000);

  it("a deploy that fails removes the machines, the network and the key, and says which task failed", async (ctx) => {
    const tools = await machineTools();
    if (!tools.ok) return ctx.skip(tools.reason);
    // A run id the role refuses (upper case): its first task fails, after the machines are up and loaded.
    const runId = `fd-Bad-${process.pid}`;
    started.push(runId);
    const settings = { ...resolveSettings(), provider: "machines" as const };
    const err = await startLab({
      profile: "hardened",
      runId,
      settings,
      progress: stderrProgress({ prefix: "bad deploy" }),
    })
      .then(() => undefined)
      .catch((e: Error) => e);
    expect(err?.message).toMatch(/ansible-playbook stack\.yml failed/);
    expect(err?.message).toContain("Check the deployment's inputs");
    expect(await leftovers(runId)).toEqual([]);
    expect(existsSync(path.join(settings.stateDir, "machines", runId))).toBe(false);
  }, 360_000);

  it("up --provider machines without Ansible: one line saying what to install, exit 2, nothing started", async () => {
    // A PATH with node only: the tools are checked before anything is built or started.
    const bin = mkdtempSync(path.join(os.tmpdir(), "firedrill-nopath-"));
    try {
      symlinkSync(process.execPath, path.join(bin, "node"));
      const child = spawn(process.execPath, [cli, "up", "--provider", "machines"], {
        cwd: repoRoot,
        env: { ...process.env, PATH: bin },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      let stdout = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        "firedrill up: provider machines cannot run here: ansible-playbook is not installed (apt-get install ansible)\n",
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 60_000);
});
