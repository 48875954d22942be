/**
 * `ansible-lint` (production profile) and `ansible-playbook --syntax-check` over cluster/ansible, each
 * shown able to fail on a planted bad playbook. Skipped with the reason where the tool is missing.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSettings } from "../../settings/settings.ts";
import { onPath, run } from "../../util/run.ts";

const ansibleDir = path.join(resolveSettings().clusterDir, "ansible");
const playbooks = readdirSync(path.join(ansibleDir, "playbooks")).filter((f) => f.endsWith(".yml"));
const env = { ANSIBLE_NOCOLOR: "1", NO_COLOR: "1" };

/** A copy of cluster/ansible with one more playbook, for proving a check can fail. */
function plantedCopy(name: string, playbook: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "firedrill-ansible-planted-"));
  cpSync(ansibleDir, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.secrets`) });
  writeFileSync(path.join(dir, "playbooks", name), playbook);
  return dir;
}

describe("cluster/ansible passes ansible-lint and --syntax-check", () => {
  const missing: Record<string, string | undefined> = {};
  const planted: string[] = [];

  beforeAll(async () => {
    if (!(await onPath("ansible-lint")))
      missing["ansible-lint"] = "ansible-lint is not installed (apt-get install ansible-lint)";
    if (!(await onPath("ansible-playbook")))
      missing["ansible-playbook"] =
        "ansible-playbook is not installed (apt-get install ansible python3-docker)";
  });
  afterAll(() => {
    for (const d of planted) rmSync(d, { recursive: true, force: true });
  });

  it("ansible-lint (production profile, offline) finds nothing", async (ctx) => {
    if (missing["ansible-lint"]) return ctx.skip(missing["ansible-lint"]);
    const r = await run(["ansible-lint", "--nocolor"], { cwd: ansibleDir, env, timeoutMs: 120_000 });
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toMatch(/Passed with production profile: 0 failure\(s\), 0 warning\(s\)/);
  }, 150_000);

  it("ansible-lint fails on a planted bad playbook", async (ctx) => {
    if (missing["ansible-lint"]) return ctx.skip(missing["ansible-lint"]);
    const dir = plantedCopy("planted.yml", "- hosts: all\n  tasks:\n    - shell: echo hi\n");
    planted.push(dir);
    const r = await run(["ansible-lint", "--nocolor"], { cwd: dir, env, timeoutMs: 120_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toContain("playbooks/planted.yml");
    expect(r.output).toMatch(/no-changed-when|fqcn|name\[/);
  }, 150_000);

  it.for(playbooks)(
    "ansible-playbook --syntax-check playbooks/%s (local and vagrant inventories)",
    { timeout: 120_000 },
    async (pb, ctx) => {
      if (missing["ansible-playbook"]) return ctx.skip(missing["ansible-playbook"]);
      for (const inventory of ["local", "vagrant"]) {
        const r = await run(
          [
            "ansible-playbook",
            "--syntax-check",
            "-i",
            `inventories/${inventory}/hosts.yml`,
            `playbooks/${pb}`,
          ],
          { cwd: ansibleDir, env, timeoutMs: 60_000 },
        );
        expect(r.exitCode, r.output).toBe(0);
      }
    },
  );

  it("--syntax-check fails on a planted broken playbook", async (ctx) => {
    if (missing["ansible-playbook"]) return ctx.skip(missing["ansible-playbook"]);
    const dir = plantedCopy(
      "broken.yml",
      "- name: Broken\n  hosts: all\n  tasks:\n    - name: Two actions\n      ansible.builtin.debug: { msg: x }\n      ansible.builtin.ping: {}\n",
    );
    planted.push(dir);
    const r = await run(
      ["ansible-playbook", "--syntax-check", "-i", "inventories/local/hosts.yml", "playbooks/broken.yml"],
      { cwd: dir, env, timeoutMs: 60_000 },
    );
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(/conflicting action statements/);
  }, 120_000);
});
