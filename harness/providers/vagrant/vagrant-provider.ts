import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ProfileName } from "../../config/profiles.ts";
import type { ImageTags } from "../../images/build-images.ts";
import { ProviderUnavailableError, type Lab, refuseMutation } from "../../lab/lab.ts";
import type { Progress } from "../../progress/progress.ts";
import { newAnsibleSecrets } from "../ansible/ansible-deploy.ts";
import { describeFailure, onPath, run as runProcess } from "../../util/run.ts";
import { attachExistingLab } from "../existing/existing-provider.ts";
import { downPlan, failedUpPlan, upPlan, type Step, type VagrantProviderName } from "./vagrant-plan.ts";
import { readVagrantTable } from "./vagrant-table.ts";
import { vagrantServerAccess, zxRunner } from "./vagrant-access.ts";
import { type Mutation } from "../../config/mutation.ts";

/** What the vagrant provider needs on this machine, checked before anything is started. */
export async function probeVagrant(
  provider: string,
  has: (cmd: string) => Promise<boolean> = onPath,
  run: (argv: string[]) => Promise<{ exitCode: number | null; output: string }> = (argv) =>
    runProcess(argv, { cwd: "/", timeoutMs: 30_000 }),
): Promise<{ ok: true; provider: VagrantProviderName } | { ok: false; reason: string }> {
  if (provider !== "virtualbox" && provider !== "libvirt")
    return {
      ok: false,
      reason: `VAGRANT_DEFAULT_PROVIDER=${provider}: the lab runs on virtualbox or libvirt`,
    };
  if (!(await has("vagrant")))
    return { ok: false, reason: "vagrant is not installed (apt-get install vagrant)" };
  if (!(await has("ansible-playbook")))
    return {
      ok: false,
      reason: "ansible-playbook is not installed (apt-get install ansible python3-docker)",
    };
  if (provider === "virtualbox") {
    if (!(await has("VBoxManage")))
      return {
        ok: false,
        reason: "VirtualBox is not installed (VBoxManage not found); or set VAGRANT_DEFAULT_PROVIDER=libvirt",
      };
    const r = await run(["VBoxManage", "list", "hostinfo"]);
    if (r.exitCode !== 0)
      return { ok: false, reason: `VirtualBox does not work here: ${r.output.trim().split("\n")[0] ?? ""}` };
    return { ok: true, provider };
  }
  if (!(await has("virsh"))) return { ok: false, reason: "libvirt is not installed (virsh not found)" };
  const plugins = await run(["vagrant", "plugin", "list"]);
  if (!plugins.output.includes("vagrant-libvirt"))
    return { ok: false, reason: "the vagrant-libvirt plugin is missing (apt-get install vagrant-libvirt)" };
  const r = await run(["virsh", "-c", "qemu:///system", "list"]);
  if (r.exitCode !== 0)
    return { ok: false, reason: `libvirt does not answer: ${r.output.trim().split("\n")[0] ?? ""}` };
  return { ok: true, provider };
}

export interface VagrantUpOptions {
  clusterDir: string;
  provider: string;
  runId: string;
  profile: ProfileName;
  progress: Progress;
  /** Builds the images here (the VMs get them by `docker save | docker load`); only called once the probe passed. */
  images: () => Promise<ImageTags>;
  /** VMs already up: skip `vagrant up`. */
  attach?: boolean;
  /** Refused: the Ansible deployment plants nothing (mutants run on the testcontainers provider). */
  mutation?: Mutation;
}

/** Runs one step of a plan; throws with the tool's own output unless the step may fail. */
async function runStep(clusterDir: string, step: Step, progress: Progress): Promise<void> {
  progress.detail(`${step.why}: ${step.argv.join(" ")}`);
  const cwd = path.join(clusterDir, step.cwd);
  const r = await runProcess(step.argv, { cwd, timeoutMs: 1_800_000 });
  // The command, how it ended (exit code, signal, or killed at the limit) and its last 30 lines.
  if ((r.exitCode !== 0 || r.timedOut) && !step.mayFail)
    throw new Error(`${step.why}: ${describeFailure(r)}`);
}

/**
 * Runs an up plan step by step, then `attach`. A failure runs `teardown(the failed step, or undefined
 * for attach)` first (failedUpPlan: the run's teardown once the VMs are up), then is rethrown; when the
 * teardown fails too, the error says so, since containers of the run may then be left on the VMs.
 */
export async function runUpPlan<T>(
  plan: readonly Step[],
  teardown: (failed: Step | undefined) => Step[],
  run: (step: Step) => Promise<void>,
  attach: () => Promise<T>,
): Promise<T> {
  let failed: Step | undefined;
  try {
    for (const step of plan) {
      failed = step;
      await run(step);
    }
    failed = undefined;
    return await attach();
  } catch (err) {
    try {
      for (const step of teardown(failed)) await run(step);
    } catch (undo) {
      if (err instanceof Error)
        err.message += `\nthe run's teardown failed too (its containers may be left on the VMs): ${(undo as Error).message.split("\n")[0]}`;
    }
    throw err;
  }
}

/**
 * The four VMs of cluster/vagrant with the stack deployed by Ansible, as a Lab. Where Vagrant or a
 * working VirtualBox / libvirt is missing it throws ProviderUnavailableError before starting
 * anything: drills report that as skipped with the reason.
 */
export async function upVagrantLab(o: VagrantUpOptions): Promise<Lab> {
  if (o.mutation) refuseMutation("vagrant");
  const probe = await probeVagrant(o.provider);
  if (!probe.ok) throw new ProviderUnavailableError("vagrant", probe.reason);
  const table = readVagrantTable(o.clusterDir);
  const images = await o.images();
  const tmp = mkdtempSync(path.join(os.tmpdir(), "firedrill-vagrant-"));
  const labFile = path.join(tmp, "lab.json");
  try {
    const varsFile = path.join(tmp, "vars.json");
    writeFileSync(
      varsFile,
      JSON.stringify({
        firedrill_run_id: o.runId,
        firedrill_profile: o.profile,
        firedrill_images: images,
        firedrill_secrets: newAnsibleSecrets(),
        firedrill_lab_file: labFile,
        firedrill_owner_host: `vagrant:${os.hostname()}`,
      }),
      { mode: 0o600 },
    );
    const plan = upPlan(table, {
      provider: probe.provider,
      runId: o.runId,
      profile: o.profile,
      images,
      varsFile,
      attach: Boolean(o.attach),
    });
    const lab = await runUpPlan(
      plan,
      (failed) => failedUpPlan({ runId: o.runId, provider: probe.provider }, failed),
      (step) => runStep(o.clusterDir, step, o.progress),
      () => attachExistingLab(labFile, { progress: o.progress, timeoutMs: 120_000 }),
    );
    const down = async () => {
      for (const step of downPlan({ runId: o.runId, provider: probe.provider, vms: "keep" }))
        await runStep(o.clusterDir, step, o.progress);
    };
    let downed: Promise<void> | undefined;
    return Object.assign(lab, {
      down: () => (downed ??= down()),
      servers: vagrantServerAccess({
        provider: probe.provider,
        runId: o.runId,
        table,
        run: zxRunner(o.clusterDir),
      }),
    });
  } finally {
    // The lab file and the vars carry the run's credentials; the Lab keeps its endpoints in memory.
    rmSync(tmp, { recursive: true, force: true });
  }
}
