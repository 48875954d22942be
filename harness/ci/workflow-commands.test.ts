import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../settings/settings.ts";
import { run } from "../util/run.ts";
import {
  annotation,
  commandLines,
  drillAnnotations,
  escapeData,
  escapeProperty,
  mutantAnnotations,
  exploreAnnotations,
  readExploreLines,
} from "./workflow-commands.ts";

/** What the runner does with a command's message: the inverse of escapeData. */
const decode = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");

describe("workflow command escaping", () => {
  it("escapes %, CR and LF in a message, % first, so the runner decodes it back exactly", () => {
    expect(escapeData("50% lost\r\nnext line")).toBe("50%25 lost%0D%0Anext line");
    // Already-escaped-looking text is not taken for an escape.
    expect(escapeData("%0A")).toBe("%250A");
    for (const text of ["a%0Ab", "100 %\n", "\r\n\r\n", "plain"]) expect(decode(escapeData(text))).toBe(text);
  });

  it("escapes : and , in a property, which would end it", () => {
    expect(escapeProperty("seed drill a:b, c\n%")).toBe("seed drill a%3Ab%2C c%0A%25");
  });

  it("makes one line whatever the text holds", () => {
    const line = annotation("warning", "lost 2 writes\nfirst: 4242 (100%)", "seed drill crash-node1 failed");
    // A message keeps its colons: only a property must escape them.
    expect(line).toBe("::warning title=seed drill crash-node1 failed::lost 2 writes%0Afirst: 4242 (100%25)");
    expect(line.split("\n")).toHaveLength(1);
    expect(annotation("notice", "x")).toBe("::notice::x");
  });

  it("an error per failed or interrupted drill, with its first three findings; nothing for a pass", () => {
    const lines = drillAnnotations([
      { drill: "crash-node1", profile: "seed", verdict: "fail", findings: ["a\nb", "c", "d", "e"] },
      { drill: "smoke", profile: "seed", verdict: "pass", findings: [] },
      { drill: "split-replication", profile: "hardened", verdict: "interrupted", reason: "killed at 50%" },
    ]);
    expect(lines).toEqual([
      "::error title=seed drill crash-node1 failed::a%0Ab; c; d",
      "::error title=hardened drill split-replication interrupted::killed at 50%25",
    ]);
  });

  it("the mutation score as a notice and a warning per survivor", () => {
    expect(
      mutantAnnotations({
        score: 0.5,
        killed: 1,
        survived: 1,
        skipped: 0,
        mutants: [
          { id: "m1", title: "killed one", status: "killed" },
          { id: "m2", title: "slow: 30s\nfor", status: "survived", awaits: "drill x" },
        ],
      }),
    ).toEqual([
      "::notice title=mutation score::50 %25 (1 killed, 1 survived, 0 skipped)",
      "::warning title=mutant m2 survived::slow: 30s%0Afor (awaits drill x)",
    ]);
  });

  it("the CLI the workflows call: a kind, an optional title, one message; a usage error otherwise", () => {
    expect(commandLines(["error", "--title", "a,b", "x\ny"])).toEqual(["::error title=a%2Cb::x%0Ay"]);
    expect(commandLines(["notice", "ok"])).toEqual(["::notice::ok"]);
    expect(() => commandLines(["warning"])).toThrow(/usage/);
    expect(() => commandLines(["warning", "--title"])).toThrow(/usage/);
    expect(() => commandLines(["debug", "x"])).toThrow(/usage/);
  });

  it("runs as the workflows run it, reading summary.json", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fd-annotate-"));
    const file = path.join(dir, "summary.json");
    writeFileSync(
      file,
      JSON.stringify([{ drill: "d", profile: "seed", verdict: "fail", findings: ["1\n2"] }]),
    );
    const r = await run(["node", "bin/run-ts.mjs", "harness/ci/workflow-commands.ts", "drills", file], {
      cwd: resolveSettings().repoRoot,
      timeoutMs: 30_000,
    });
    expect(r.exitCode, r.output).toBe(0);
    expect(r.stdout).toBe("::error title=seed drill d failed::1%0A2\n");
    const bad = await run(["node", "bin/run-ts.mjs", "harness/ci/workflow-commands.ts", "nope"], {
      cwd: resolveSettings().repoRoot,
      timeoutMs: 30_000,
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^usage:/);
  });

  it("explore: an error per failed schedule with its minimal reproducer, a warning per one not run", () => {
    const crash = { kind: "crash-server", target: "node1", startSeconds: 4, durationSeconds: 10 };
    const split = { kind: "split-replication", target: null, startSeconds: 0, durationSeconds: 20 };
    const text = [
      JSON.stringify({ schedule: 1, seed: 11, faults: [crash], verdict: "pass", findings: [] }),
      "",
      JSON.stringify({
        schedule: 2,
        seed: 12,
        faults: [split, crash],
        verdict: "fail",
        findings: ["replication stopped: 1062"],
        minimal: { faults: [split, crash], runs: 7, file: "reports/x/minimal-12.json" },
      }),
      JSON.stringify({
        schedule: 3,
        seed: 13,
        faults: [],
        verdict: "not-run",
        reason: "a schedule failed",
        findings: [],
      }),
    ].join("\n");
    const lines = exploreAnnotations(readExploreLines(text));
    expect(lines[0]).toBe("::notice title=explore::3 schedule(s): 1 passed, 1 failed");
    expect(lines[1]).toMatch(
      /^::error title=explored schedule 12 failed::split-replication at 0 s for 20 s; crash-server node1 at 4 s/,
    );
    expect(lines[1]).toContain("minimal after 7 run(s)");
    expect(lines[1]).toContain("firedrill explore --replay reports/x/minimal-12.json");
    expect(lines[2]).toBe("::warning title=explored schedule 13::not-run: a schedule failed");
    expect(lines).toHaveLength(3);
  });
});
