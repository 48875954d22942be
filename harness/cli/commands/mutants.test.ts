import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { findDrill } from "../../drills/registry.ts";
import { runDrill } from "../../drills/run-drill.ts";
import { drillSettings } from "../../drills/context.ts";
import { DrillFolder } from "../../store/run-store.ts";
import { ProviderUnavailableError } from "../../lab/lab.ts";
import { startLab } from "../../providers/start-lab.ts";
import { catalogue } from "../../mutants/catalogue.ts";
import { silentProgress } from "../../progress/progress.ts";
import { resolveSettings } from "../../settings/settings.ts";
import { captureOutput } from "../../testing/capture-output.ts";
import { main } from "../main.ts";

afterEach(() => vi.restoreAllMocks());

describe("firedrill mutants: arguments (no engine needed)", () => {
  it("--list --json prints the catalogue as a JSON array and starts nothing", async () => {
    const { out, err } = captureOutput();
    expect(await main(["mutants", "--list", "--json"])).toBe(0);
    expect(err).toEqual([]);
    const list = JSON.parse(out.join("")) as Record<string, unknown>[];
    expect(list).toHaveLength(catalogue.length);
    for (const entry of list) {
      expect(Object.keys(entry)).toEqual(["id", "title", "layer", "profile", "why", "drills"]);
      for (const d of entry.drills as Record<string, unknown>[]) {
        expect(Object.keys(d)).toEqual(["drill", "breaks"]);
        expect((d.breaks as unknown[]).every((b) => typeof b === "string")).toBe(true);
      }
    }
    expect(list.find((m) => m.id === "rule-5xx-as-percent")).toEqual({
      id: "rule-5xx-as-percent",
      title: "HighHTTP5xxRate compares a ratio with 5 (percent)",
      layer: "prometheus-rules",
      profile: "hardened",
      why: expect.stringMatching(/^The operator writes the 5 % threshold as `> 5`/),
      drills: [{ drill: "load-haproxy", breaks: ["alert:HighHTTP5xxRate#fires"] }],
    });
  });

  it("--list narrows by mutant, drill and profile", async () => {
    const { out } = captureOutput();
    expect(
      await main(["mutants", "--list", "--json", "--drill", "kill-node1-db", "--profile", "hardened"]),
    ).toBe(0);
    const list = JSON.parse(out.join("")) as { profile: string; drills: { drill: string }[] }[];
    expect(list.length).toBeGreaterThan(0);
    for (const m of list) {
      expect(m.profile).toBe("hardened");
      expect(m.drills.map((d) => d.drill)).toEqual(["kill-node1-db"]);
    }
    out.length = 0;
    expect(await main(["mutants", "haproxy-tcp-check", "--list"])).toBe(0);
    expect(out.join("")).toMatch(
      /^haproxy-tcp-check \(hardened, haproxy\): .*\n {2}kill-node1-db must break failover\n/,
    );
  });

  it.each([
    [
      ["mutants", "no-such-mutant", "--json"],
      /^firedrill mutants: unknown mutant "no-such-mutant"; mutants: haproxy-tcp-check, .*\n$/,
    ],
    [
      ["mutants", "--drill", "no-such-drill"],
      /^firedrill mutants: unknown drill "no-such-drill"; drills: crash-node1, .*\n$/,
    ],
    [
      ["mutants", "--profile", "hardend"],
      /^firedrill mutants: unknown profile "hardend"; use one of: seed, hardened\n$/,
    ],
    [
      ["mutants", "--drill", "load-haproxy", "--profile", "seed"],
      /^firedrill mutants: no mutant matches --drill load-haproxy --profile seed; see `firedrill mutants --list`\n$/,
    ],
    [["mutants", "--bogus"], /^firedrill mutants: Unknown option '--bogus'.*\n$/],
  ])("%j is one line on stderr, nothing on stdout, exit 2", async (argv, message) => {
    const { out, err } = captureOutput();
    expect(await main(argv)).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toMatch(message);
  });

  it("refuses another provider before anything starts", async () => {
    const { out, err } = captureOutput();
    expect(await main(["mutants", "haproxy-tcp-check"], { FIREDRILL_PROVIDER: "vagrant" })).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toBe(
      "firedrill mutants: provider vagrant cannot run here: mutants run on the testcontainers provider only (it builds the lab, so it can plant the mutation); unset FIREDRILL_PROVIDER\n",
    );
  });

  it("--help documents the options and the exit codes", async () => {
    const { out } = captureOutput();
    expect(await main(["mutants", "--help"])).toBe(0);
    const help = out.join("");
    expect(help).toMatch(
      /^usage: firedrill mutants \[<mutant>\.\.\.\] \[--drill D\] \[--profile seed\|hardened\] \[--list\] \[--json\] \[--quiet\]$/m,
    );
    expect(help).toContain(
      "exit codes: 0 every mutant was killed, 1 a mutant survived or was skipped, 2 usage or environment error",
    );
  });
});

describe("providers that cannot plant a mutation", () => {
  const mutation = { name: "planted" };

  it.each(["vagrant", "existing"] as const)(
    "%s refuses it with one line (a ProviderUnavailableError)",
    async (provider) => {
      const settings = { ...resolveSettings(), provider };
      const refused = startLab({ profile: "hardened", settings, progress: silentProgress, mutation });
      await expect(refused).rejects.toBeInstanceOf(ProviderUnavailableError);
      await expect(refused).rejects.toThrow(
        `provider ${provider} cannot run here: mutants run on the testcontainers provider only`,
      );
    },
  );

  it("a drill asked to run a mutant there is skipped with that reason, never passed", async () => {
    const runDir = mkdtempSync(path.join(os.tmpdir(), "fd-mutant-skip-"));
    try {
      const result = await runDrill(findDrill("crash-node1"), "hardened", {
        folder: new DrillFolder(runDir, "crash-node1", "hardened"),
        settings: drillSettings({ ...resolveSettings(), provider: "vagrant" }, {}),
        progress: silentProgress,
        mutant: { id: "m", mutation },
      });
      expect(result.verdict).toBe("skipped");
      expect(result.reason).toMatch(
        /^provider vagrant cannot run here: mutants run on the testcontainers provider/,
      );
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});
