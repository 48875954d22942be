import type { ProfileName } from "../../config/profiles.ts";
import type { ImageName } from "../../topology/topology.ts";
import { servicesOn, type ServerName } from "../../topology/topology.ts";
import type { VagrantTable } from "./vagrant-table.ts";

/**
 * What the vagrant provider runs, as data: every step is one command line with the folder it runs in
 * (`vagrant`: cluster/vagrant, `ansible`: cluster/ansible) and why. Pure, so the plans for up and
 * down are unit-tested on machines where no VM can run; the executor only runs them. Faults act
 * through the lab's server access (vagrant-access.ts), as on every lab with servers.
 */
export interface Step {
  argv: readonly string[];
  cwd: "vagrant" | "ansible";
  why: string;
  /** A step whose failure is expected and harmless (heal of something already healed). */
  mayFail?: boolean;
}

export type VagrantProviderName = "virtualbox" | "libvirt";

export interface UpInput {
  provider: VagrantProviderName;
  runId: string;
  profile: ProfileName;
  images: Readonly<Record<ImageName, string>>;
  /** The extra-vars file (0600) with the run's secrets and image tags. */
  varsFile: string;
  /** Attach to VMs that already run instead of `vagrant up` (the playbook still runs: it is idempotent). */
  attach: boolean;
}

const sh = (script: string) => ["sh", "-c", script] as const;
/** Single-quotes a word for sh. */
export const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

function imagesOf(server: ServerName, images: UpInput["images"]): string[] {
  const names = new Set<ImageName>(["netadmin"]);
  for (const s of servicesOn(server)) if (s.image) names.add(s.image);
  return [...names].map((n) => images[n]);
}

export function upPlan(table: VagrantTable, i: UpInput): Step[] {
  const steps: Step[] = [];
  if (i.attach) {
    steps.push({
      argv: ["vagrant", "status", "--machine-readable"],
      cwd: "vagrant",
      why: "the four VMs run",
    });
  } else {
    steps.push({
      // vagrant-libvirt boots the four at once, and the Ansible provisioner (on node2, the last) would
      // meet servers still booting: one at a time, node2 last, all four are up when engine.yml runs.
      argv: [
        "vagrant",
        "up",
        "--provider",
        i.provider,
        ...(i.provider === "libvirt" ? ["--no-parallel"] : []),
      ],
      cwd: "vagrant",
      why: "boot the four VMs from servers.yml and provision their Docker engines (playbooks/engine.yml)",
    });
  }
  for (const s of table.servers) {
    // The images are built here (no registry needed); each VM gets the ones its services use.
    steps.push({
      argv: sh(
        `docker save ${imagesOf(s.name, i.images).map(q).join(" ")} | vagrant ssh ${s.name} -c 'sudo docker load'`,
      ),
      cwd: "vagrant",
      why: `load ${s.name}'s images into its engine`,
    });
  }
  steps.push({
    argv: [
      "ansible-playbook",
      "-i",
      "inventories/vagrant/hosts.yml",
      "playbooks/stack.yml",
      "-e",
      `@${i.varsFile}`,
      "-e",
      `firedrill_vagrant_provider=${i.provider}`,
    ],
    cwd: "ansible",
    why: `deploy the stack (${i.profile}) onto the VMs, replication included`,
  });
  return steps;
}

export interface DownInput {
  runId: string;
  /** The inventory finds each VM's SSH key under .vagrant/machines/<vm>/<provider>/. */
  provider: VagrantProviderName;
  /** halt: stop the VMs; destroy: delete them; keep: leave them running for the next drill. */
  vms: "keep" | "halt" | "destroy";
}

export function downPlan(d: DownInput): Step[] {
  const steps: Step[] = [
    {
      argv: [
        "ansible-playbook",
        "-i",
        "inventories/vagrant/hosts.yml",
        "playbooks/teardown.yml",
        "-e",
        `firedrill_run_id=${d.runId}`,
        "-e",
        `firedrill_vagrant_provider=${d.provider}`,
      ],
      cwd: "ansible",
      why: "remove the run's containers and network from every VM (by its label)",
    },
  ];
  if (d.vms === "halt") steps.push({ argv: ["vagrant", "halt"], cwd: "vagrant", why: "stop the VMs" });
  if (d.vms === "destroy")
    steps.push({ argv: ["vagrant", "destroy", "--force"], cwd: "vagrant", why: "delete the VMs" });
  return steps;
}

/**
 * What runs when `up` fails at step `failed` of its plan (undefined: after the plan, attaching to the
 * deployed lab), before the error is rethrown. Once the VMs are up, the run's teardown, VMs kept: a
 * failed image load, deploy (a play stopped half way) or attach leaves nothing of the run on the VMs.
 * A failed `vagrant up` or `vagrant status` has put nothing of the run there.
 */
export function failedUpPlan(d: Omit<DownInput, "vms">, failed: Step | undefined): Step[] {
  if (failed?.argv[0] === "vagrant" && (failed.argv[1] === "up" || failed.argv[1] === "status")) return [];
  return downPlan({ ...d, vms: "keep" });
}
