import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { crashServer } from "../../faults/kinds/crash-server.ts";
import { freezeServer } from "../../faults/kinds/freeze-server.ts";
import { splitReplication } from "../../faults/kinds/split-replication.ts";
import type { Lab } from "../../lab/lab.ts";
import { resolveSettings } from "../../settings/settings.ts";
import {
  saysRunning,
  vagrantCalls,
  vagrantServerAccess,
  zxRunner,
  type VagrantCall,
  type VagrantRunner,
} from "./vagrant-access.ts";
import { readVagrantTable } from "./vagrant-table.ts";

// No VM runs here: these are the commands the Vagrant lab's server access would run, and the zx
// runner carrying out harmless stand-ins.
const table = readVagrantTable(resolveSettings().clusterDir);
const RUN = "fd-run-1";
const line = (c: VagrantCall) => c.argv.join(" ");

/** A runner that records every call and answers from `answer` (default: success, no output). */
function recorder(
  answer: (c: VagrantCall) => { exitCode: number; output: string } | undefined = () => undefined,
) {
  const calls: VagrantCall[] = [];
  const run: VagrantRunner = async (c) => {
    calls.push(c);
    return answer(c) ?? { exitCode: 0, output: "" };
  };
  return { calls, run };
}

describe("vagrant server access: the commands behind each call", () => {
  it("power off pulls the plug; power on boots without provisioning, then starts the run's containers, databases first", () => {
    const c = vagrantCalls("virtualbox", RUN);
    expect(c.powerOff("node1").map(line)).toEqual(["vagrant halt --force node1"]);
    const on = c.powerOn("node1");
    expect(on.map(line)).toEqual([
      "vagrant up node1 --provider virtualbox --no-provision",
      "vagrant ssh node1 -c sudo sh -s",
    ]);
    expect(on[1]!.input).toBe(
      "docker start fd-run-1-node1-db fd-run-1-node1-exporter fd-run-1-node1-app fd-run-1-node1-node-exporter",
    );
    expect(on[0]!.timeoutMs).toBeGreaterThan(on[1]!.timeoutMs);
  });

  it("pause and resume freeze the whole VM: VirtualBox by its name, libvirt by its domain on the system instance", () => {
    const vb = vagrantCalls("virtualbox", RUN);
    expect([vb.pause("node2"), vb.resume("node2"), vb.state("node2")].map(line)).toEqual([
      "VBoxManage controlvm firedrill-node2 pause",
      "VBoxManage controlvm firedrill-node2 resume",
      "VBoxManage showvminfo firedrill-node2 --machinereadable",
    ]);
    const lv = vagrantCalls("libvirt", RUN);
    expect([lv.pause("node2"), lv.resume("node2"), lv.state("node2")].map(line)).toEqual([
      "virsh -c qemu:///system suspend vagrant_node2",
      "virsh -c qemu:///system resume vagrant_node2",
      "virsh -c qemu:///system domstate vagrant_node2",
    ]);
    expect(lv.powerOn("node2")[0]!.argv).toContain("libvirt");
  });

  it("exec: a root shell over vagrant ssh with the script on stdin, so nothing in it is quoted twice", () => {
    const c = vagrantCalls("libvirt", RUN).exec("control2", "nft -f - <<'NFT'\ntable inet x { }\nNFT");
    expect(c.argv).toEqual(["vagrant", "ssh", "control2", "-c", "sudo sh -s"]);
    expect(c.input).toBe("nft -f - <<'NFT'\ntable inet x { }\nNFT");
  });

  it("the servers' addresses come from servers.yml; the peers' NIC is the private network's", () => {
    const access = vagrantServerAccess({ provider: "virtualbox", runId: RUN, table, run: recorder().run });
    expect(access.address("node1")).toBe("192.168.56.13");
    expect(access.address("control2")).toBe("192.168.56.12");
    expect(access.interface("node2")).toBe("eth1");
  });

  it("a failed power call throws with the tool's output; exec never throws on a non-zero exit", async () => {
    const { run } = recorder((c) =>
      c.argv[1] === "halt"
        ? { exitCode: 1, output: "The machine is locked\n" }
        : { exitCode: 7, output: "no\n" },
    );
    const access = vagrantServerAccess({ provider: "virtualbox", runId: RUN, table, run });
    await expect(access.powerOff("node1")).rejects.toThrow(
      /power node1 off: vagrant halt --force node1 exited 1\nThe machine is locked/,
    );
    expect(await access.exec("node1", "false")).toEqual({ exitCode: 7, output: "no\n" });
  });

  it("resume is idempotent: a VM already running counts as thawed, one that is not is an error", async () => {
    const running = recorder((c) =>
      c.argv.includes("resume")
        ? { exitCode: 1, output: "VBoxManage: error: Machine in invalid state 1 -- running\n" }
        : { exitCode: 0, output: 'name="firedrill-node1"\nVMState="running"\n' },
    );
    await vagrantServerAccess({ provider: "virtualbox", runId: RUN, table, run: running.run }).resume(
      "node1",
    );
    expect(running.calls.map(line)).toEqual([
      "VBoxManage controlvm firedrill-node1 resume",
      "VBoxManage showvminfo firedrill-node1 --machinereadable",
    ]);
    const off = recorder((c) =>
      c.argv.includes("resume")
        ? { exitCode: 1, output: "error: domain is not running\n" }
        : { exitCode: 0, output: "shut off\n" },
    );
    await expect(
      vagrantServerAccess({ provider: "libvirt", runId: RUN, table, run: off.run }).resume("node1"),
    ).rejects.toThrow("thaw node1: error: domain is not running; state: shut off");
    expect(saysRunning("running\n\n")).toBe(true);
    expect(saysRunning('VMState="paused"')).toBe(false);
  });
});

describe("vagrant server access under the faults: what each fault runs on which VM", () => {
  /** A Vagrant lab as upVagrantLab hands it out, its containers answering as running. */
  const labWith = (run: VagrantRunner) =>
    ({
      runId: RUN,
      servers: vagrantServerAccess({ provider: "libvirt", runId: RUN, table, run }),
      container: () =>
        ({
          inspect: async () => ({
            State: { Running: true, Paused: false, Pid: 99 },
            HostConfig: { PortBindings: { "3306/tcp": [{ HostIp: "192.168.56.13", HostPort: "3306" }] } },
          }),
        }) as unknown as Docker.Container,
      ipOf: async () => {
        throw new Error("no container address on the Vagrant lab's links");
      },
    }) as unknown as Lab;

  it("split replication: nft on node1 and node2 over vagrant ssh, matching the other VM's private address and MariaDB's published port", async () => {
    const { calls, run } = recorder();
    const lab = labWith(run);
    await splitReplication().inject(lab);
    expect(calls.map(line)).toEqual(["vagrant ssh node1 -c sudo sh -s", "vagrant ssh node2 -c sudo sh -s"]);
    expect(calls[0]!.input).toContain(
      "chain prerouting { type filter hook prerouting priority -150; policy accept; ip saddr 192.168.56.14 tcp dport 3306 drop; ip saddr 192.168.56.14 tcp sport 3306 drop; }",
    );
    expect(calls[1]!.input).toContain("ip daddr 192.168.56.13 tcp dport 3306 drop;");
  });

  it("crash node1: vagrant halt --force, then vagrant up and its containers started; freeze: virsh suspend and resume", async () => {
    const { calls, run } = recorder();
    const lab = labWith(run);
    await crashServer("node1").inject(lab);
    await crashServer("node1").heal(lab);
    await freezeServer("node2").inject(lab);
    await freezeServer("node2").heal(lab);
    expect(calls.map(line)).toEqual([
      "vagrant halt --force node1",
      "vagrant up node1 --provider libvirt --no-provision",
      "vagrant ssh node1 -c sudo sh -s",
      "virsh -c qemu:///system suspend vagrant_node2",
      "virsh -c qemu:///system resume vagrant_node2",
    ]);
  });
});

describe("vagrant server access: the zx runner", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "firedrill-vagrant-access-"));
  mkdirSync(path.join(dir, "vagrant"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = zxRunner(dir);

  it("runs in cluster/vagrant, feeds the script on stdin, keeps stdout and stderr, returns the exit code", async () => {
    const r = await run({
      argv: ["sh", "-c", "pwd; cat; echo oops >&2; exit 3"],
      input: 'echo it\'s "quoted" $HOME\n',
      why: "stand-in",
      timeoutMs: 10_000,
    });
    expect(r.exitCode).toBe(3);
    expect(r.output).toBe(`${path.join(dir, "vagrant")}\necho it's "quoted" $HOME\noops\n`);
  });

  it("a call that outlives its bound is stopped and fails", async () => {
    const t0 = performance.now();
    const r = await run({ argv: ["sleep", "30"], why: "stand-in", timeoutMs: 300 });
    expect(r.exitCode).not.toBe(0);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
