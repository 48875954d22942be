import path from "node:path";
import { $ } from "zx";
import type { ServerAccess } from "../../lab/lab.ts";
import { servicesOn, type ServerName } from "../../topology/topology.ts";
import type { VagrantProviderName } from "./vagrant-plan.ts";
import { ipOfServer, type VagrantTable } from "./vagrant-table.ts";

/** One command the vagrant provider's server access runs in cluster/vagrant, with its stdin. */
export interface VagrantCall {
  argv: readonly string[];
  /** Fed to the command's stdin (the root script of `exec`). */
  input?: string;
  why: string;
  timeoutMs: number;
}

export type VagrantRunner = (call: VagrantCall) => Promise<{ exitCode: number; output: string }>;

// Powering a VM on boots it (a minute or more on a laptop); the rest answers within seconds.
const BOOT_MS = 600_000;
const QUICK_MS = 120_000;

/** VirtualBox's name for a VM (the Vagrantfile's `vb.name`) and vagrant-libvirt's domain name (<folder>_<vm>). */
export const virtualboxVm = (server: ServerName) => `firedrill-${server}`;
export const libvirtDomain = (server: ServerName) => `vagrant_${server}`;
/** libvirt's system instance, where vagrant-libvirt puts its domains (as the provider's probe asks it). */
const VIRSH = ["virsh", "-c", "qemu:///system"] as const;

/** A root script on one VM: `vagrant ssh`, `sudo sh -s`, the script on stdin (no quoting to get wrong). */
export function execCall(server: ServerName, script: string): VagrantCall {
  return {
    argv: ["vagrant", "ssh", server, "-c", "sudo sh -s"],
    input: script,
    why: `run a root script on ${server}`,
    timeoutMs: QUICK_MS,
  };
}

/**
 * The commands behind each `ServerAccess` call on the Vagrant lab, as data: what the old VM fault
 * plans ran, moved here (halt, up, VirtualBox's or libvirt's pause, a root shell over vagrant ssh).
 */
export function vagrantCalls(provider: VagrantProviderName, runId: string) {
  /** A call on the VM itself, below vagrant: VBoxManage's arguments or virsh's, as the provider is. */
  const onVm = (virtualbox: readonly string[], libvirt: readonly string[], why: string): VagrantCall => ({
    argv: provider === "virtualbox" ? ["VBoxManage", ...virtualbox] : [...VIRSH, ...libvirt],
    why,
    timeoutMs: QUICK_MS,
  });
  return {
    /** Pulls the plug: no shutdown, as a crash. */
    powerOff: (server: ServerName): VagrantCall[] => [
      { argv: ["vagrant", "halt", "--force", server], why: `power ${server} off`, timeoutMs: QUICK_MS },
    ],
    /**
     * Boots the VM (without provisioning again), then starts the run's containers on it, databases
     * first: the role starts them with restart policy "no" (faults decide when they run), so a
     * booted engine leaves them stopped.
     */
    powerOn: (server: ServerName): VagrantCall[] => {
      const names = servicesOn(server)
        .filter((s) => s.image !== undefined)
        .sort((a, b) => (a.kind === "db" ? 0 : 1) - (b.kind === "db" ? 0 : 1))
        .map((s) => `${runId}-${s.alias}`);
      return [
        {
          argv: ["vagrant", "up", server, "--provider", provider, "--no-provision"],
          why: `boot ${server}`,
          timeoutMs: BOOT_MS,
        },
        { ...execCall(server, `docker start ${names.join(" ")}`), why: `start ${server}'s containers again` },
      ];
    },
    /** The whole VM stops, kernel included: a hung server, not a dead one. */
    pause: (server: ServerName): VagrantCall =>
      onVm(
        ["controlvm", virtualboxVm(server), "pause"],
        ["suspend", libvirtDomain(server)],
        `freeze ${server}`,
      ),
    resume: (server: ServerName): VagrantCall =>
      onVm(
        ["controlvm", virtualboxVm(server), "resume"],
        ["resume", libvirtDomain(server)],
        `thaw ${server}`,
      ),
    /** Whether the VM runs (a resume of a running VM fails: the heal must still count as done). */
    state: (server: ServerName): VagrantCall =>
      onVm(
        ["showvminfo", virtualboxVm(server), "--machinereadable"],
        ["domstate", libvirtDomain(server)],
        `${server}'s state`,
      ),
    exec: execCall,
  };
}

/** Whether a state call's output says the VM runs (VirtualBox's VMState, libvirt's domstate). */
export const saysRunning = (output: string) =>
  /^VMState="running"$/m.test(output) || /^running$/m.test(output.trim());

/** Runs a call with zx in cluster/vagrant: bounded, never throwing on a non-zero exit. */
export function zxRunner(clusterDir: string): VagrantRunner {
  const cwd = path.join(clusterDir, "vagrant");
  return async (call) => {
    const [cmd, ...args] = call.argv;
    const out = await $({
      cwd,
      input: call.input ?? "",
      timeout: call.timeoutMs,
      nothrow: true,
      quiet: true,
    })`${cmd} ${args}`;
    return { exitCode: out.exitCode ?? -1, output: out.stdall };
  };
}

export interface VagrantAccessOptions {
  provider: VagrantProviderName;
  runId: string;
  table: VagrantTable;
  /** The VMs' NIC on the private network (servers.yml's addresses); the first NIC is Vagrant's own. */
  interfaceName?: string;
  run: VagrantRunner;
}

/**
 * The Vagrant lab's servers, for server-level faults: power (halt / up), freeze (VirtualBox's pause
 * or libvirt's suspend), a root shell (vagrant ssh, sudo), each VM's private address from servers.yml.
 */
export function vagrantServerAccess(o: VagrantAccessOptions): ServerAccess {
  const calls = vagrantCalls(o.provider, o.runId);
  const must = async (call: VagrantCall) => {
    const r = await o.run(call);
    if (r.exitCode !== 0)
      throw new Error(
        `${call.why}: ${call.argv.join(" ")} exited ${r.exitCode}\n${r.output.trimEnd().split("\n").slice(-20).join("\n")}`,
      );
  };
  return {
    async powerOff(server) {
      for (const c of calls.powerOff(server)) await must(c);
    },
    async powerOn(server) {
      for (const c of calls.powerOn(server)) await must(c);
    },
    pause: (server) => must(calls.pause(server)),
    async resume(server) {
      const r = await o.run(calls.resume(server));
      if (r.exitCode === 0) return;
      // Healing twice, or a VM that was never paused: running is what a resume wants.
      const st = await o.run(calls.state(server));
      if (st.exitCode === 0 && saysRunning(st.output)) return;
      throw new Error(
        `thaw ${server}: ${r.output.trim().split("\n")[0]}; state: ${st.output.trim().split("\n")[0]}`,
      );
    },
    exec: (server, script) => o.run(calls.exec(server, script)),
    address: (server) => ipOfServer(o.table, server),
    interface: () => o.interfaceName ?? "eth1",
  };
}
