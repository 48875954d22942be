import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ProfileName } from "../../config/profiles.ts";
import type { ImageTags } from "../../images/build-images.ts";
import type { Progress } from "../../progress/progress.ts";
import { topology, type NodeName } from "../../topology/topology.ts";
import { randomSecret } from "../../util/random-secret.ts";
import { freePortBelowEphemeral } from "../testcontainers/free-port.ts";
import { onPath, run, type RunResult } from "../../util/run.ts";
import { parsePlayRecap, type HostRecap } from "./play-recap.ts";

/** What the Debian machine needs for the Ansible path (ansible-lint only for `pnpm test`'s lint). */
export const ANSIBLE_PACKAGES = "apt-get install ansible python3-docker";

/** The role's `firedrill_secrets`: generated per run by the harness, passed in a 0600 extra-vars file. */
export interface AnsibleSecrets {
  django_secret: string;
  db_root: Record<NodeName, string>;
  app_user: string;
  app_password: string;
  repl_user: string;
  repl_password: string;
  exporter_user: string;
  exporter_password: string;
  stats_user: string;
  stats_password: string;
}

export function newAnsibleSecrets(): AnsibleSecrets {
  return {
    django_secret: randomSecret(32),
    db_root: { node1: randomSecret(), node2: randomSecret() },
    app_user: "todo",
    app_password: randomSecret(),
    repl_user: "replicator",
    repl_password: randomSecret(),
    exporter_user: "exporter",
    exporter_password: randomSecret(),
    stats_user: "firedrill",
    stats_password: randomSecret(),
  };
}

/**
 * Free loopback ports for every published container port, keyed like the role's
 * `firedrill_host_ports`: below the ephemeral range, since the playbook binds them only as it reaches
 * each container, up to minutes later, and labs started meanwhile draw theirs from that range.
 */
export async function freeHostPorts(): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  const taken = new Set<number>();
  for (const s of topology) {
    if (!s.image) continue;
    out[s.alias] = {};
    for (const p of s.ports) {
      const port = await freePortBelowEphemeral(taken);
      taken.add(port);
      out[s.alias]![String(p)] = String(port);
    }
  }
  return out;
}

export interface PlaybookOptions {
  /** cluster/ (the Ansible tree is cluster/ansible). */
  clusterDir: string;
  /** Playbook under cluster/ansible/playbooks, e.g. "stack.yml". */
  playbook: string;
  /** Inventory under cluster/ansible/inventories (e.g. "local"), or a path. */
  inventory: string;
  /** Extra variables; written to a 0600 file in a private temp folder, removed afterwards. */
  vars: Record<string, unknown>;
  progress: Progress;
  timeoutMs?: number;
}

export interface PlaybookRun {
  recap: Record<string, HostRecap>;
  seconds: number;
  output: string;
}

/** Whether ansible-playbook can run here; the reason says what to install. */
export async function ansibleAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (!(await onPath("ansible-playbook")))
    return { ok: false, reason: `ansible-playbook is not installed (${ANSIBLE_PACKAGES})` };
  return { ok: true };
}

/** Runs one playbook; fails with the tail of its output when a host failed or was unreachable. */
export async function runPlaybook(o: PlaybookOptions): Promise<PlaybookRun> {
  const ansibleDir = path.join(o.clusterDir, "ansible");
  const inventory = o.inventory.includes("/")
    ? o.inventory
    : path.join(ansibleDir, "inventories", o.inventory, "hosts.yml");
  const tmp = mkdtempSync(path.join(os.tmpdir(), "firedrill-ansible-"));
  try {
    const varsFile = path.join(tmp, "vars.json");
    writeFileSync(varsFile, JSON.stringify(o.vars), { mode: 0o600 });
    o.progress.step(`ansible-playbook ${o.playbook} (inventory ${path.basename(path.dirname(inventory))})`);
    const r = await run(
      ["ansible-playbook", "-i", inventory, path.join("playbooks", o.playbook), "-e", `@${varsFile}`],
      {
        cwd: ansibleDir,
        env: {
          ANSIBLE_NOCOLOR: "1",
          ANSIBLE_FORCE_COLOR: "0",
          ANSIBLE_CONFIG: path.join(ansibleDir, "ansible.cfg"),
        },
        timeoutMs: o.timeoutMs ?? 600_000,
        onLine: (l) => {
          if (/^(TASK|PLAY) \[/.test(l)) o.progress.detail(l.replace(/\s*\*+$/, ""));
        },
      },
    );
    const lines = r.output.trimEnd().split("\n");
    // The failed tasks themselves (a play goes on after one host fails, so the tail may not show them).
    const fatal = lines.flatMap((l, i) =>
      /^(fatal|failed): \[/.test(l)
        ? [`${lines.slice(0, i).findLast((p) => p.startsWith("TASK ["))}`, l]
        : [],
    );
    const tail = [...fatal, ...(fatal.length ? ["…"] : []), ...lines.slice(-40)].join("\n");
    let recap: Record<string, HostRecap>;
    try {
      recap = parsePlayRecap(r.output);
    } catch (err) {
      throw new Error(`ansible-playbook ${o.playbook}: ${(err as Error).message} (${ended(r)})\n${tail}`);
    }
    const bad = Object.entries(recap).filter(([, h]) => h.failed > 0 || h.unreachable > 0);
    if (r.exitCode !== 0 || r.timedOut || bad.length > 0)
      throw new Error(
        `ansible-playbook ${o.playbook} failed (${ended(r)}) on ${bad.map(([h]) => h).join(", ") || "?"}\n${tail}`,
      );
    o.progress.detail(`ansible-playbook ${o.playbook}: ${r.seconds.toFixed(1)} s`);
    return { recap, seconds: r.seconds, output: r.output };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** How a playbook run ended, for an error line: the exit code and signal, or the time limit. */
function ended(r: RunResult): string {
  if (r.timedOut) return `killed at its time limit after ${r.seconds.toFixed(0)} s`;
  return `exit ${r.exitCode}${r.signal ? `, ${r.signal}` : ""}`;
}

export type DeployOptions = Omit<PlaybookOptions, "playbook">;

/**
 * Deploys the stack (playbooks/stack.yml). When it fails, playbooks/teardown.yml removes the run's
 * containers, network and rendered configuration from every server before the error is rethrown, so
 * a failed deployment leaves nothing running on the servers; the error still quotes the failed
 * tasks. A teardown that fails too is warned about on its own and named in the error (containers of
 * the run may then be left). `runOne` is runPlaybook except in tests.
 */
export async function deployStack(
  o: DeployOptions,
  runOne: (o: PlaybookOptions) => Promise<PlaybookRun> = runPlaybook,
): Promise<PlaybookRun> {
  const runId = o.vars.firedrill_run_id;
  if (typeof runId !== "string" || runId === "")
    throw new Error("deployStack: vars.firedrill_run_id is required (a failed deployment is removed by it)");
  try {
    return await runOne({ ...o, playbook: "stack.yml" });
  } catch (err) {
    o.progress.warn(`deployment of run ${runId} failed: removing what it started (teardown.yml)`);
    try {
      await runOne({ ...o, playbook: "teardown.yml", vars: teardownVars(o.vars), timeoutMs: 300_000 });
    } catch (undo) {
      const why = (undo as Error).message.split("\n")[0] ?? "";
      o.progress.warn(`teardown of run ${runId} failed too: ${why}`);
      if (err instanceof Error)
        err.message += `\nthe run's teardown failed too (its containers may be left on the servers): ${why}`;
    }
    throw err;
  }
}

/**
 * The deployment's variables for its teardown: all of them (an inventory may read any: the vagrant
 * one finds its SSH keys by `firedrill_vagrant_provider`; teardown.yml reads the run id, the state
 * folder and `firedrill_become`) but the credentials, which removing containers does not need.
 */
export function teardownVars(vars: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => k !== "firedrill_secrets"));
}

export interface LocalDeployment {
  runId: string;
  profile: ProfileName;
  /** The lab file the existing provider attaches through (credentials: mode 0600). */
  labFile: string;
  /** Rendered configuration, bind-mounted into the containers. */
  stateDir: string;
  /** The extra-vars of this deployment, to run the same playbook again (idempotence). */
  vars: Record<string, unknown>;
}

/**
 * The variables for deploying the stack onto this machine's engine with the `local` inventory: the
 * run's labels name this process as owner (so firedrill's reaper treats it like any lab of ours),
 * ports are free loopback ports, secrets are fresh.
 */
export async function localDeployment(o: {
  runId: string;
  profile: ProfileName;
  images: ImageTags;
  workDir: string;
}): Promise<LocalDeployment> {
  const labFile = path.join(o.workDir, "lab.json");
  const stateDir = path.join(o.workDir, "state");
  return {
    runId: o.runId,
    profile: o.profile,
    labFile,
    stateDir,
    vars: {
      firedrill_run_id: o.runId,
      firedrill_profile: o.profile,
      firedrill_images: o.images,
      firedrill_secrets: newAnsibleSecrets(),
      firedrill_host_ports: await freeHostPorts(),
      firedrill_state_dir: stateDir,
      firedrill_lab_file: labFile,
      firedrill_owner_pid: String(process.pid),
      firedrill_owner_host: os.hostname(),
    },
  };
}
