/**
 * A failed deployment leaves nothing running: deployStack runs teardown.yml for the run before it
 * rethrows, and the error still quotes the failed Ansible task. Real ansible-playbook runs on a
 * planted copy of the playbook layout (local connections, no engine): a stack.yml that fails on one
 * server, a teardown.yml that records what it was given.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Progress } from "../../progress/progress.ts";
import { onPath } from "../../util/run.ts";
import { deployStack, newAnsibleSecrets, teardownVars } from "./ansible-deploy.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "firedrill-ansible-deploy-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let skip: string | undefined;
beforeAll(async () => {
  if (!(await onPath("ansible-playbook")))
    skip = "ansible-playbook is not installed (apt-get install ansible python3-docker)";
});

const inventory = `all:
  children:
    lab:
      hosts:
        control1: {}
        node1: {}
      vars:
        ansible_connection: local
        ansible_python_interpreter: "{{ ansible_playbook_python }}"
`;

/** The stack play: fine on control1, fails on node1 in a named task. */
const failingStack = `- name: Planted deployment that fails on one server
  hosts: lab
  gather_facts: false
  tasks:
    - name: A step that works everywhere
      ansible.builtin.debug: { msg: fine }
    - name: Wait until the planted database answers
      ansible.builtin.fail: { msg: "planted: the database never answered" }
      when: inventory_hostname == 'node1'
`;

const workingStack = `- name: Planted deployment that works
  hosts: lab
  gather_facts: false
  tasks:
    - name: A step that works everywhere
      ansible.builtin.debug: { msg: fine }
`;

/** Records, per server, the variables the teardown was run with. */
const recordingTeardown = `- name: Planted teardown that records what it was given
  hosts: lab
  gather_facts: false
  tasks:
    - name: Record the run id, the credentials (there should be none) and the state folder
      ansible.builtin.copy:
        content: "{{ {'run': firedrill_run_id, 'secrets': firedrill_secrets | default('none'), 'stateDir': firedrill_state_dir} | to_json }}"
        dest: "{{ planted_record_dir }}/{{ inventory_hostname }}.json"
        mode: "0644"
`;

const failingTeardown = `- name: Planted teardown that fails too
  hosts: lab
  gather_facts: false
  tasks:
    - name: Remove the planted containers
      ansible.builtin.fail: { msg: "planted: the engine is gone" }
`;

/** A cluster folder with ansible/{ansible.cfg, inventories/planted, playbooks/{stack,teardown}.yml}. */
function planted(stack: string, teardown: string): { clusterDir: string; record: string } {
  const clusterDir = mkdtempSync(path.join(root, "cluster-"));
  const ansible = path.join(clusterDir, "ansible");
  mkdirSync(path.join(ansible, "inventories", "planted"), { recursive: true });
  mkdirSync(path.join(ansible, "playbooks"));
  writeFileSync(path.join(ansible, "ansible.cfg"), "[defaults]\nretry_files_enabled = false\n");
  writeFileSync(path.join(ansible, "inventories", "planted", "hosts.yml"), inventory);
  writeFileSync(path.join(ansible, "playbooks", "stack.yml"), stack);
  writeFileSync(path.join(ansible, "playbooks", "teardown.yml"), teardown);
  const record = path.join(clusterDir, "record");
  mkdirSync(record);
  return { clusterDir, record };
}

function recordingProgress(): Progress & { warnings: string[] } {
  const warnings: string[] = [];
  return { step: () => {}, detail: () => {}, warn: (m) => warnings.push(m), warnings };
}

const runId = "fd-planted-1";

describe("deployStack: a failed deployment is torn down before its error is rethrown", () => {
  it("runs teardown.yml with the run id (not the credentials); the error quotes the failed task", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const { clusterDir, record } = planted(failingStack, recordingTeardown);
    const progress = recordingProgress();
    const vars = {
      firedrill_run_id: runId,
      firedrill_state_dir: "/tmp/firedrill-planted-state",
      firedrill_secrets: newAnsibleSecrets(),
      planted_record_dir: record,
    };
    const err = (await deployStack({ clusterDir, inventory: "planted", vars, progress }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    // The failed task and its message, from the stack's own output.
    expect(err.message).toMatch(/^ansible-playbook stack\.yml failed \(exit 2\) on node1\n/);
    expect(err.message).toContain("TASK [Wait until the planted database answers]");
    expect(err.message).toMatch(/fatal: \[node1\]: FAILED! .*planted: the database never answered/);
    expect(err.message).not.toContain("teardown failed");
    // The teardown ran on every server, for this run, without the run's credentials.
    expect(readdirSync(record).sort()).toEqual(["control1.json", "node1.json"]);
    for (const f of readdirSync(record))
      expect(JSON.parse(readFileSync(path.join(record, f), "utf8"))).toEqual({
        run: runId,
        secrets: "none",
        stateDir: "/tmp/firedrill-planted-state",
      });
    expect(progress.warnings).toEqual([
      `deployment of run ${runId} failed: removing what it started (teardown.yml)`,
    ]);
  }, 120_000);

  it("a teardown that fails too is named in the error, after the stack's own failure", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const { clusterDir } = planted(failingStack, failingTeardown);
    const progress = recordingProgress();
    const err = (await deployStack({
      clusterDir,
      inventory: "planted",
      vars: { firedrill_run_id: runId },
      progress,
    }).catch((e: unknown) => e)) as Error;
    const [first] = err.message.split("\n");
    expect(first).toBe("ansible-playbook stack.yml failed (exit 2) on node1");
    expect(err.message).toContain("TASK [Wait until the planted database answers]");
    expect(err.message).toMatch(
      /\nthe run's teardown failed too \(its containers may be left on the servers\): ansible-playbook teardown\.yml failed \(exit 2\) on control1, node1$/,
    );
    expect(progress.warnings[1]).toMatch(
      /^teardown of run fd-planted-1 failed too: ansible-playbook teardown\.yml/,
    );
  }, 120_000);

  it("a deployment that works runs no teardown", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const { clusterDir, record } = planted(workingStack, recordingTeardown);
    const progress = recordingProgress();
    const done = await deployStack({
      clusterDir,
      inventory: "planted",
      vars: { firedrill_run_id: runId, planted_record_dir: record },
      progress,
    });
    expect(Object.keys(done.recap).sort()).toEqual(["control1", "node1"]);
    expect(readdirSync(record)).toEqual([]);
    expect(progress.warnings).toEqual([]);
  }, 120_000);

  it("refuses to deploy without a run id (nothing could be torn down by it)", async () => {
    const progress = recordingProgress();
    await expect(deployStack({ clusterDir: root, inventory: "planted", vars: {}, progress })).rejects.toThrow(
      "deployStack: vars.firedrill_run_id is required",
    );
    expect(existsSync(path.join(root, "ansible"))).toBe(false);
  });

  it("the teardown's variables are the deployment's without its credentials", () => {
    const secrets = newAnsibleSecrets();
    expect(
      teardownVars({
        firedrill_run_id: "r",
        firedrill_secrets: secrets,
        firedrill_vagrant_provider: "libvirt",
      }),
    ).toEqual({ firedrill_run_id: "r", firedrill_vagrant_provider: "libvirt" });
  });
});
