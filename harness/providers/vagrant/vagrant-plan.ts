import type { ProfileName } from "../../config/profiles.ts";
import type { ImageName } from "../../topology/topology.ts";
import { service, servicesOn, type ServerName } from "../../topology/topology.ts";
import { ipOfServer, type VagrantTable } from "./vagrant-table.ts";

/**
 * What the vagrant provider runs, as data: every step is one command line with the folder it runs in
 * (`vagrant`: cluster/vagrant, `ansible`: cluster/ansible) and why. Pure, so the plan for up, each
 * fault and down is unit-tested on machines where no VM can run; the executor only runs it.
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

/** A command on one VM, as root, through `vagrant ssh`. */
export function onVm(server: ServerName, command: string): string[] {
  return ["vagrant", "ssh", server, "-c", `sudo sh -c ${q(command)}`];
}

const containerName = (runId: string, alias: string) => `${runId}-${alias}`;

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

/** The faults of harness/faults, at the level of VMs. */
export type VmFault =
  | { kind: "crash"; server: ServerName; how: "halt" | "kill" }
  | { kind: "freeze"; server: ServerName }
  | { kind: "stop"; alias: string; graceSeconds: number }
  | { kind: "partition"; a: ServerName; b: ServerName; direction: "both" | "one-way" }
  | { kind: "split-replication" }
  | { kind: "loss"; alias: string; percent: number }
  | { kind: "bandwidth"; alias: string; kbitPerSecond: number }
  | { kind: "latency"; alias: string; delayMs: number };

export interface FaultPlan {
  inject: Step[];
  heal: Step[];
}

// One nft table per VM (or container namespace) for every firedrill rule: healing is one delete.
const TABLE = "inet firedrill";
const dropTable = `nft delete table ${TABLE} 2>/dev/null; true`;
type Chain = "input" | "output" | "forward";
/**
 * An nft table with the given rules per chain. On a VM, `forward` matters: a container's traffic to
 * another VM is forwarded by the VM (Docker's bridge), not sent from its own output.
 */
function nftRules(chains: Partial<Record<Chain, string>>): string {
  const body = Object.entries(chains)
    .map(([c, rules]) => `chain ${c} { type filter hook ${c} priority -10; policy accept; ${rules} }`)
    .join(" ");
  return `${dropTable}; printf '%s\\n' ${q(`table ${TABLE} { ${body} }`)} | nft -f -`;
}

/** Drops everything to and from `ip`, both ways, whether sent, received or forwarded. */
const dropPeer = (ip: string) => ({
  input: `ip saddr ${ip} drop;`,
  output: `ip daddr ${ip} drop;`,
  forward: `ip saddr ${ip} drop; ip daddr ${ip} drop;`,
});

/** Runs `command` in a container's network namespace on its VM (nsenter: no helper image needed). */
function inNetns(runId: string, alias: string, command: string): string[] {
  const server = service(alias).server;
  const name = containerName(runId, alias);
  return onVm(server, `nsenter -t "$(docker inspect -f '{{.State.Pid}}' ${name})" -n sh -c ${q(command)}`);
}

function aliasesOn(server: ServerName): string[] {
  return servicesOn(server)
    .filter((s) => s.image !== undefined)
    .map((s) => s.alias);
}

/** Databases first when starting: the apps wait for theirs. */
function startOrder(aliases: string[]): string[] {
  return [...aliases].sort((x, y) => (service(x).kind === "db" ? 0 : 1) - (service(y).kind === "db" ? 0 : 1));
}

export function faultPlan(
  table: VagrantTable,
  provider: VagrantProviderName,
  runId: string,
  f: VmFault,
): FaultPlan {
  const names = (aliases: string[]) => aliases.map((a) => containerName(runId, a)).join(" ");
  switch (f.kind) {
    case "crash": {
      const start: Step = {
        argv: onVm(f.server, `docker start ${names(startOrder(aliasesOn(f.server)))}`),
        cwd: "vagrant",
        why: `start ${f.server}'s containers again, databases first`,
      };
      if (f.how === "halt")
        return {
          inject: [
            { argv: ["vagrant", "halt", "--force", f.server], cwd: "vagrant", why: `power ${f.server} off` },
          ],
          heal: [
            {
              argv: ["vagrant", "up", f.server, "--provider", provider, "--no-provision"],
              cwd: "vagrant",
              why: `boot ${f.server}`,
            },
            start,
          ],
        };
      return {
        inject: [
          {
            argv: onVm(f.server, `docker kill --signal KILL ${names(aliasesOn(f.server))}`),
            cwd: "vagrant",
            why: `SIGKILL every container of ${f.server}`,
          },
        ],
        heal: [start],
      };
    }
    case "freeze": {
      // The whole VM stops, kernel included: a hung server, not a dead one.
      const vm = `firedrill-${f.server}`;
      return provider === "virtualbox"
        ? {
            inject: [
              { argv: ["VBoxManage", "controlvm", vm, "pause"], cwd: "vagrant", why: `freeze ${f.server}` },
            ],
            heal: [
              {
                argv: ["VBoxManage", "controlvm", vm, "resume"],
                cwd: "vagrant",
                why: `thaw ${f.server}`,
                mayFail: true,
              },
            ],
          }
        : {
            inject: [
              {
                argv: ["virsh", "suspend", `vagrant_${f.server}`],
                cwd: "vagrant",
                why: `freeze ${f.server}`,
              },
            ],
            heal: [
              {
                argv: ["virsh", "resume", `vagrant_${f.server}`],
                cwd: "vagrant",
                why: `thaw ${f.server}`,
                mayFail: true,
              },
            ],
          };
    }
    case "stop": {
      const server = service(f.alias).server;
      const name = containerName(runId, f.alias);
      return {
        inject: [
          {
            argv: onVm(server, `docker stop -t ${f.graceSeconds} ${name}`),
            cwd: "vagrant",
            why: `stop ${f.alias}`,
          },
        ],
        heal: [{ argv: onVm(server, `docker start ${name}`), cwd: "vagrant", why: `start ${f.alias}` }],
      };
    }
    case "partition": {
      const ipA = ipOfServer(table, f.a);
      const ipB = ipOfServer(table, f.b);
      const heal = [f.a, f.b].map((s) => ({
        argv: onVm(s, dropTable),
        cwd: "vagrant" as const,
        why: `remove ${s}'s firedrill rules`,
      }));
      if (f.direction === "one-way")
        return {
          inject: [
            {
              argv: onVm(
                f.a,
                nftRules({
                  output: `ip daddr ${ipB} ct state new drop;`,
                  forward: `ip daddr ${ipB} ct state new drop;`,
                }),
              ),
              cwd: "vagrant",
              why: `${f.a} cannot open connections to ${f.b}; ${f.b} still reaches ${f.a}`,
            },
          ],
          heal,
        };
      return {
        inject: [
          { argv: onVm(f.a, nftRules(dropPeer(ipB))), cwd: "vagrant", why: `${f.a} drops ${f.b}` },
          { argv: onVm(f.b, nftRules(dropPeer(ipA))), cwd: "vagrant", why: `${f.b} drops ${f.a}` },
        ],
        heal,
      };
    }
    case "split-replication": {
      // Between node1 and node2 only the databases talk (each app uses its own): cut MariaDB's port.
      const ip1 = ipOfServer(table, "node1");
      const ip2 = ipOfServer(table, "node2");
      const cut = (peer: string) => {
        const both = `ip saddr ${peer} tcp sport 3306 drop; ip saddr ${peer} tcp dport 3306 drop;`;
        const out = `ip daddr ${peer} tcp sport 3306 drop; ip daddr ${peer} tcp dport 3306 drop;`;
        return { input: both, output: out, forward: `${both} ${out}` };
      };
      return {
        inject: [
          {
            argv: onVm("node1", nftRules(cut(ip2))),
            cwd: "vagrant",
            why: "node1 drops MariaDB traffic with node2",
          },
          {
            argv: onVm("node2", nftRules(cut(ip1))),
            cwd: "vagrant",
            why: "node2 drops MariaDB traffic with node1",
          },
        ],
        heal: (["node1", "node2"] as const).map((s) => ({
          argv: onVm(s, dropTable),
          cwd: "vagrant" as const,
          why: `remove ${s}'s firedrill rules`,
        })),
      };
    }
    case "loss": {
      const rule =
        f.percent >= 100
          ? "meta l4proto tcp drop;"
          : `meta l4proto tcp numgen random mod 100 < ${Math.round(f.percent)} drop;`;
      return {
        inject: [
          {
            argv: inNetns(runId, f.alias, nftRules({ input: rule, output: rule })),
            cwd: "vagrant",
            why: `drop ${f.percent} % of ${f.alias}'s packets`,
          },
        ],
        heal: [
          {
            argv: inNetns(runId, f.alias, dropTable),
            cwd: "vagrant",
            why: `remove ${f.alias}'s rules`,
            mayFail: true,
          },
        ],
      };
    }
    case "bandwidth":
      return {
        inject: [
          {
            argv: inNetns(
              runId,
              f.alias,
              `tc qdisc replace dev eth0 root tbf rate ${f.kbitPerSecond}kbit burst 16kbit latency 200ms`,
            ),
            cwd: "vagrant",
            why: `limit ${f.alias} to ${f.kbitPerSecond} kbit/s`,
          },
        ],
        heal: [
          {
            argv: inNetns(runId, f.alias, "tc qdisc del dev eth0 root 2>/dev/null; true"),
            cwd: "vagrant",
            why: "remove the limit",
            mayFail: true,
          },
        ],
      };
    case "latency":
      return {
        inject: [
          // Where the VM's kernel has no sch_netem, modprobe fails and the executor reports the fault unsupported.
          {
            argv: onVm(service(f.alias).server, "modprobe sch_netem"),
            cwd: "vagrant",
            why: "the VM's kernel has netem",
          },
          {
            argv: inNetns(runId, f.alias, `tc qdisc replace dev eth0 root netem delay ${f.delayMs}ms`),
            cwd: "vagrant",
            why: `delay ${f.alias} by ${f.delayMs} ms`,
          },
        ],
        heal: [
          {
            argv: inNetns(runId, f.alias, "tc qdisc del dev eth0 root 2>/dev/null; true"),
            cwd: "vagrant",
            why: "remove the delay",
            mayFail: true,
          },
        ],
      };
  }
}
