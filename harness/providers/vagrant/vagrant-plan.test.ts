import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { drillSettings } from "../../drills/context.ts";
import { findDrill } from "../../drills/registry.ts";
import { DrillFolder } from "../../store/run-store.ts";
import { runDrill } from "../../drills/run-drill.ts";
import { labImages, type ImageName } from "../../topology/topology.ts";
import { silentProgress } from "../../progress/progress.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { onPath, run as runTool } from "../../util/run.ts";
import { downPlan, failedUpPlan, q, upPlan, type Step } from "./vagrant-plan.ts";
import { probeVagrant, runUpPlan } from "./vagrant-provider.ts";
import { readVagrantTable } from "./vagrant-table.ts";

const settings = resolveSettings();
const table = readVagrantTable(settings.clusterDir);
const images = Object.fromEntries(labImages.map((n) => [n, `firedrill/${n}:h`])) as Record<ImageName, string>;
const RUN = "fd-run-1";
const line = (s: Step) => s.argv.join(" ");
const lines = (steps: Step[]) => steps.map(line);

describe("vagrant provider plan: up", () => {
  const plan = upPlan(table, {
    provider: "virtualbox",
    runId: RUN,
    profile: "hardened",
    images,
    varsFile: "/tmp/x/vars.json",
    attach: false,
  });

  it("boots the VMs, loads each VM's images, then deploys with the vagrant inventory", () => {
    expect(line(plan[0]!)).toBe("vagrant up --provider virtualbox");
    expect(plan[0]!.cwd).toBe("vagrant");
    const last = plan.at(-1)!;
    expect(last.cwd).toBe("ansible");
    expect(last.argv).toEqual([
      "ansible-playbook",
      "-i",
      "inventories/vagrant/hosts.yml",
      "playbooks/stack.yml",
      "-e",
      "@/tmp/x/vars.json",
      "-e",
      "firedrill_vagrant_provider=virtualbox",
    ]);
    expect(plan).toHaveLength(1 + 4 + 1);
  });

  it("each VM gets the images of its own services and the netadmin helper, nothing else", () => {
    const node1 = line(plan.find((s) => s.why.includes("node1"))!);
    expect(node1).toBe(
      "sh -c docker save 'firedrill/netadmin:h' 'firedrill/mariadb:h' 'firedrill/mysqld-exporter:h' 'firedrill/app:h' 'firedrill/node-exporter:h' | vagrant ssh node1 -c 'sudo docker load'",
    );
    const control2 = line(plan.find((s) => s.why.includes("control2"))!);
    expect(control2).toContain("'firedrill/haproxy:h' 'firedrill/prometheus:h' 'firedrill/alertmanager:h'");
    expect(control2).not.toContain("mariadb");
  });

  it("attaching to running VMs checks them instead of booting", () => {
    const attach = upPlan(table, {
      provider: "libvirt",
      runId: RUN,
      profile: "seed",
      images,
      varsFile: "/v",
      attach: true,
    });
    expect(line(attach[0]!)).toBe("vagrant status --machine-readable");
    expect(lines(attach).some((l) => l.startsWith("vagrant up"))).toBe(false);
    expect(line(attach.at(-1)!)).toContain("firedrill_vagrant_provider=libvirt");
  });
});

describe("vagrant provider plan: quoting", () => {
  it("the quoting survives a real shell: what the VM runs is what the plan says", async () => {
    const nasty = `nft -f - <<'X'\n{ it's "quoted" $HOME }\nX`;
    const r = await runTool(["sh", "-c", `printf %s ${q(nasty)}`], { cwd: "/", timeoutMs: 5000 });
    expect(r.output).toBe(nasty);
  });
});

describe("vagrant provider plan: down", () => {
  it("removes the run's containers by label on every VM; the VMs stay, halt or go as asked", () => {
    expect(lines(downPlan({ runId: RUN, provider: "virtualbox", vms: "keep" }))).toEqual([
      "ansible-playbook -i inventories/vagrant/hosts.yml playbooks/teardown.yml -e firedrill_run_id=fd-run-1 -e firedrill_vagrant_provider=virtualbox",
    ]);
    expect(lines(downPlan({ runId: RUN, provider: "virtualbox", vms: "halt" })).at(-1)).toBe("vagrant halt");
    expect(lines(downPlan({ runId: RUN, provider: "virtualbox", vms: "destroy" })).at(-1)).toBe(
      "vagrant destroy --force",
    );
  });
});

describe("vagrant provider plan: libvirt", () => {
  const up = (provider: "virtualbox" | "libvirt") =>
    upPlan(table, { provider, runId: RUN, profile: "hardened", images, varsFile: "/v", attach: false });

  it("boots one VM at a time on libvirt (node2's provisioner meets four booted servers); VirtualBox as before", () => {
    expect(up("libvirt")[0]!.argv).toEqual(["vagrant", "up", "--provider", "libvirt", "--no-parallel"]);
    expect(up("virtualbox")[0]!.argv).toEqual(["vagrant", "up", "--provider", "virtualbox"]);
  });

  it("deploy and teardown both name the provider: the inventory's SSH keys are that provider's", () => {
    expect(up("libvirt").at(-1)!.argv).toContain("firedrill_vagrant_provider=libvirt");
    const teardown = downPlan({ runId: RUN, provider: "libvirt", vms: "keep" });
    expect(teardown).toHaveLength(1);
    expect(teardown[0]!.argv.slice(-4)).toEqual([
      "-e",
      "firedrill_run_id=fd-run-1",
      "-e",
      "firedrill_vagrant_provider=libvirt",
    ]);
  });

  it.for(["virtualbox", "libvirt"] as const)(
    "with the teardown's variables, Ansible resolves node1's key to .vagrant/machines/node1/%s/private_key",
    { timeout: 60_000 },
    async (provider, ctx) => {
      if (!(await onPath("ansible"))) return ctx.skip("ansible is not installed (apt-get install ansible)");
      const step = downPlan({ runId: RUN, provider, vms: "keep" })[0]!;
      // The step's inventory and -e pairs, as an ad-hoc debug of the variable (no connection is made).
      const inventory = step.argv[step.argv.indexOf("-i") + 1]!;
      const vars = step.argv.flatMap((a, i) => (step.argv[i - 1] === "-e" ? ["-e", a] : []));
      const r = await runTool(
        [
          "ansible",
          "-i",
          inventory,
          "node1",
          ...vars,
          "-m",
          "ansible.builtin.debug",
          "-a",
          "var=ansible_ssh_private_key_file",
        ],
        { cwd: path.join(settings.clusterDir, step.cwd), env: { ANSIBLE_NOCOLOR: "1" }, timeoutMs: 60_000 },
      );
      expect(r.exitCode, r.output).toBe(0);
      const key = /"ansible_ssh_private_key_file": "([^"]+)"/.exec(r.output)?.[1];
      expect(key && path.resolve(key)).toBe(
        path.join(settings.clusterDir, "vagrant", ".vagrant", "machines", "node1", provider, "private_key"),
      );
    },
  );
});

describe("vagrant provider: a failed up leaves nothing of the run on the VMs", () => {
  const plan = upPlan(table, {
    provider: "libvirt",
    runId: RUN,
    profile: "hardened",
    images,
    varsFile: "/v",
    attach: false,
  });
  const teardown = (failed: Step | undefined) => failedUpPlan({ runId: RUN, provider: "libvirt" }, failed);
  const TEARDOWN =
    "ansible-playbook -i inventories/vagrant/hosts.yml playbooks/teardown.yml -e firedrill_run_id=fd-run-1 -e firedrill_vagrant_provider=libvirt";

  it("failedUpPlan: the run's teardown (VMs kept) once the VMs are up; nothing after a failed vagrant up or status", () => {
    const deploy = plan.at(-1)!;
    expect(deploy.argv).toContain("playbooks/stack.yml");
    expect(lines(teardown(deploy))).toEqual([TEARDOWN]);
    expect(lines(teardown(plan[1]!))).toEqual([TEARDOWN]); // loading node's images
    expect(lines(teardown(undefined))).toEqual([TEARDOWN]); // attaching to the deployed lab
    expect(teardown(plan[0]!)).toEqual([]);
    expect(teardown({ argv: ["vagrant", "status", "--machine-readable"], cwd: "vagrant", why: "" })).toEqual(
      [],
    );
  });

  /** Runs the plan with a fake runner that fails the steps `fails` picks; what ran, in order. */
  const execute = async (fails: (s: Step) => boolean, attach: () => Promise<string> = async () => "lab") => {
    const ran: string[] = [];
    let outcome: string;
    try {
      outcome = await runUpPlan(
        plan,
        teardown,
        async (s) => {
          ran.push(line(s));
          if (fails(s)) throw new Error(`${s.why}: exited 2`);
        },
        attach,
      );
    } catch (err) {
      outcome = `threw: ${(err as Error).message}`;
    }
    return { ran, outcome };
  };
  const isDeploy = (s: Step) => s.argv.includes("playbooks/stack.yml");
  const isTeardown = (s: Step) => s.argv.includes("playbooks/teardown.yml");

  it("a deploy that fails runs the teardown for the run id, then rethrows the deploy's error", async () => {
    const { ran, outcome } = await execute(isDeploy);
    expect(ran).toEqual([...lines(plan), TEARDOWN]);
    expect(outcome).toBe("threw: deploy the stack (hardened) onto the VMs, replication included: exited 2");
  });

  it("an attach that fails after the deploy tears the run down too; a good run tears nothing down", async () => {
    const failedAttach = await execute(
      () => false,
      async () => {
        throw new Error("lab file: no such file");
      },
    );
    expect(failedAttach).toEqual({
      ran: [...lines(plan), TEARDOWN],
      outcome: "threw: lab file: no such file",
    });
    expect(await execute(() => false)).toEqual({ ran: lines(plan), outcome: "lab" });
  });

  it("a failed vagrant up runs nothing more; a teardown that fails too is named in the error", async () => {
    const noBoot = await execute((s) => s === plan[0]);
    expect(noBoot.ran).toEqual([line(plan[0]!)]);
    const both = await execute((s) => isDeploy(s) || isTeardown(s));
    expect(both.ran.at(-1)).toBe(TEARDOWN);
    expect(both.outcome).toMatch(/^threw: deploy the stack .*: exited 2\nthe run's teardown failed too/);
  });
});

describe("vagrant provider: where no VM can run, drills are skipped with the reason", () => {
  const tools = (present: string[], outputs: Record<string, { exitCode: number; output: string }> = {}) =>
    [
      async (cmd: string) => present.includes(cmd),
      async (argv: string[]) => outputs[argv.join(" ")] ?? { exitCode: 0, output: "" },
    ] as const;

  it("the probe names what is missing", async () => {
    expect(await probeVagrant("virtualbox", ...tools([]))).toEqual({
      ok: false,
      reason: "vagrant is not installed (apt-get install vagrant)",
    });
    expect(await probeVagrant("virtualbox", ...tools(["vagrant", "ansible-playbook"]))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^VirtualBox is not installed/),
    });
    expect(
      await probeVagrant(
        "virtualbox",
        ...tools(["vagrant", "ansible-playbook", "VBoxManage"], {
          "VBoxManage list hostinfo": {
            exitCode: 1,
            output: "WARNING: The vboxdrv kernel module is not loaded.\n",
          },
        }),
      ),
    ).toEqual({
      ok: false,
      reason: "VirtualBox does not work here: WARNING: The vboxdrv kernel module is not loaded.",
    });
    expect(await probeVagrant("libvirt", ...tools(["vagrant", "ansible-playbook", "virsh"]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining("vagrant-libvirt plugin is missing"),
    });
    expect(
      await probeVagrant(
        "libvirt",
        ...tools(["vagrant", "ansible-playbook", "virsh"], {
          "vagrant plugin list": { exitCode: 0, output: "vagrant-libvirt (0.11.2, system)\n" },
        }),
      ),
    ).toEqual({ ok: true, provider: "libvirt" });
    expect(await probeVagrant("hyperv", ...tools([]))).toMatchObject({
      ok: false,
      reason: expect.stringContaining("virtualbox or libvirt"),
    });
  });

  const runDir = mkdtempSync(path.join(os.tmpdir(), "firedrill-vagrant-skip-"));
  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  it("runDrill reports a drill on an unavailable vagrant provider as skipped with the reason, not passed", async () => {
    // A provider name no machine has: deterministic, and no VM is ever started by a unit test.
    const s = { ...settings, provider: "vagrant" as const, vagrantProvider: "nonesuch" };
    const result = await runDrill(findDrill("crash-node1"), "hardened", {
      folder: new DrillFolder(runDir, "crash-node1", "hardened"),
      settings: drillSettings(s, {}),
      progress: silentProgress,
    });
    expect(result.verdict).toBe("skipped");
    expect(result.reason).toBe(
      "provider vagrant cannot run here: VAGRANT_DEFAULT_PROVIDER=nonesuch: the lab runs on virtualbox or libvirt",
    );
  });

  it("on this machine: the real probe's reason is what a vagrant drill would be skipped with", async (ctx) => {
    const probe = await probeVagrant(settings.vagrantProvider);
    if (probe.ok) return ctx.skip("VMs can run here: the vagrant drills run as scenarios, not in unit tests");
    process.stderr.write(`vagrant provider here: ${probe.reason}\n`);
    expect(probe.reason.length).toBeGreaterThan(10);
  });
});
