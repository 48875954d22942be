import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { WATCHDOG, WATCHDOG_REPEAT_SECONDS } from "../alerts/pipeline-alive.ts";
import { onPath, run } from "../util/run.ts";
import { resolveSettings } from "../settings/settings.ts";
import { harnessRulesDir, loadClusterConfig } from "./cluster-config.ts";
import { profileNames } from "./profiles.ts";

const { clusterDir } = resolveSettings();
const values = { webhookUrl: "http://receiver:9099/hook/alertmanager" };

interface Route {
  receiver?: string;
  matchers?: string[];
  repeat_interval?: string;
  routes?: Route[];
}

describe("the harness's Watchdog rule goes beside every profile's own rules", () => {
  it.each(profileNames)(
    "%s: Prometheus gets the profile's own rules (none in the seed, as the original) and the harness's watchdog.yml",
    (profile) => {
      const { rules } = loadClusterConfig(clusterDir, profile, values);
      const own = profile === "seed" ? [] : ["alerts.yml"];
      expect(Object.keys(rules).sort()).toEqual([...own, "watchdog.yml"]);
      expect(rules["watchdog.yml"]).toBe(
        readFileSync(path.join(harnessRulesDir(clusterDir), "watchdog.yml"), "utf8"),
      );
    },
  );

  it("the Watchdog always fires, says why it exists, and has a promtool test where it fires", () => {
    const doc = parse(readFileSync(path.join(harnessRulesDir(clusterDir), "watchdog.yml"), "utf8")) as {
      groups: {
        rules: {
          alert: string;
          expr: string;
          labels: Record<string, string>;
          annotations: Record<string, string>;
          for?: string;
        }[];
      }[];
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ alert: WATCHDOG, expr: "vector(1)", labels: { severity: "none" } });
    expect(rules[0]!.for).toBeUndefined();
    expect(rules[0]!.annotations.description).toMatch(/on purpose/);
    const tests = parse(
      readFileSync(path.join(harnessRulesDir(clusterDir), "watchdog.test.yml"), "utf8"),
    ) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const mine = tests.tests.flatMap((t) => t.alert_rule_test).filter((t) => t.alertname === WATCHDOG);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((t) => t.exp_alerts.length === 1)).toBe(true);
  });

  it("refuses a profile rule file named like the harness's (one would silently replace the other)", () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), "firedrill-config-"));
    try {
      cpSync(path.join(clusterDir, "config"), path.join(copy, "config"), { recursive: true });
      writeFileSync(path.join(copy, "config/hardened/rules/watchdog.yml"), "groups: []\n");
      expect(() => loadClusterConfig(copy, "hardened", values)).toThrow(/watchdog\.yml is in both/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("Alertmanager re-notifies the Watchdog every few seconds", () => {
  it.each(profileNames)(
    "%s: one child route for the Watchdog, repeat_interval as the harness assumes; the rest as before",
    (profile) => {
      const route = (parse(loadClusterConfig(clusterDir, profile, values).alertmanager) as { route: Route })
        .route;
      expect(route).toMatchObject({ receiver: "firedrill", repeat_interval: "1h" });
      expect(route.routes).toEqual([
        { matchers: [`alertname="${WATCHDOG}"`], repeat_interval: `${WATCHDOG_REPEAT_SECONDS}s` },
      ]);
    },
  );
});

describe("the Ansible role deploys the same rule files as the harness", () => {
  const task = (
    parse(readFileSync(path.join(clusterDir, "ansible/roles/firedrill_stack/tasks/config.yml"), "utf8")) as {
      name: string;
      loop?: string;
    }[]
  ).find((t) => t.name === "Copy the alert rules (not their promtool tests)");

  it.for(profileNames)(
    "%s: Ansible's own evaluation of the role's file list",
    { timeout: 90_000 },
    async (profile, ctx) => {
      if (!(await onPath("ansible"))) return ctx.skip("ansible is not installed (apt-get install ansible)");
      expect(task?.loop, "the role's rule-copy task").toBeDefined();
      const r = await run(
        [
          "ansible",
          "localhost",
          "-c",
          "local",
          "-i",
          "localhost,",
          "-m",
          "ansible.builtin.debug",
          "-a",
          `msg=${task!.loop!.trim()}`,
          "-e",
          `firedrill_config_dir=${path.join(clusterDir, "config")}`,
          "-e",
          `firedrill_profile=${profile}`,
        ],
        {
          cwd: os.tmpdir(),
          env: { ANSIBLE_NOCOLOR: "1", ANSIBLE_LOCALHOST_WARNING: "False" },
          timeoutMs: 60_000,
        },
      );
      expect(r.exitCode, r.output).toBe(0);
      const msg = (JSON.parse(r.output.slice(r.output.indexOf("{"))) as { msg: string[] }).msg;
      const harness = Object.keys(loadClusterConfig(clusterDir, profile, values).rules).sort();
      expect(msg.map((f) => path.basename(f)).sort()).toEqual(harness);
      // And every file it copies is one the harness reads (no test file, nothing from elsewhere).
      const dirs = [path.join(clusterDir, "config", profile, "rules"), harnessRulesDir(clusterDir)];
      for (const f of msg) expect(dirs).toContain(path.dirname(f));
    },
  );
});
