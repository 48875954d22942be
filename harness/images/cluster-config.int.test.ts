import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { harnessRulesDir, loadClusterConfig } from "../config/cluster-config.ts";
import { profileNames } from "../config/profiles.ts";
import { newRunId } from "../lab/run-id.ts";
import { resolveSettings } from "../settings/settings.ts";
import { imageTags } from "../testing/images-for-tests.ts";
import { runOnce } from "../testing/run-once.ts";

const { clusterDir } = resolveSettings();
const runId = newRunId();

// Each profile's configuration, checked by the very binaries that will run it.
describe.each(profileNames)("cluster configuration, %s profile", (profile) => {
  const config = loadClusterConfig(clusterDir, profile, { webhookUrl: "http://receiver.invalid:9095/hook" });

  it("HAProxy accepts haproxy.cfg (haproxy -c)", async () => {
    const r = await runOnce({
      image: (await imageTags()).haproxy,
      cmd: ["haproxy", "-c", "-f", "/etc/haproxy/haproxy.cfg"],
      env: { HAPROXY_STATS_USER: "u", HAPROXY_STATS_PASSWORD: "p" },
      files: { "/etc/haproxy/haproxy.cfg": config.haproxy },
      runId,
    });
    expect(r.exitCode, r.output).toBe(0);
  });

  it("Prometheus accepts prometheus.yml and its rules (promtool check config)", async () => {
    const files: Record<string, string> = { "/etc/prometheus/prometheus.yml": config.prometheus };
    for (const [name, content] of Object.entries(config.rules))
      files[`/etc/prometheus/rules/${name}`] = content;
    const r = await runOnce({
      image: (await imageTags()).prometheus,
      cmd: ["promtool", "check", "config", "/etc/prometheus/prometheus.yml"],
      files,
      runId,
    });
    expect(r.exitCode, r.output).toBe(0);
    expect(Object.keys(config.rules).length).toBeGreaterThan(0);
  });

  it("alert rules pass their promtool unit tests (the profile's and the harness's Watchdog)", async () => {
    // One folder, as Prometheus loads them; loadClusterConfig refuses two files of one name.
    const dirs = [path.join(clusterDir, "config", profile, "rules"), harnessRulesDir(clusterDir)];
    const all = dirs
      .filter((d) => existsSync(d))
      .flatMap((d) =>
        readdirSync(d)
          .filter((f) => f.endsWith(".yml"))
          .map((f) => ({ f, d })),
      );
    const tests = all.filter(({ f }) => f.endsWith(".test.yml")).map(({ f }) => f);
    // Every rule file has its tests beside it (the seed has none of its own: only the Watchdog's).
    const ruleFiles = all.filter(({ f }) => !f.endsWith(".test.yml")).map(({ f }) => f);
    expect(tests.sort()).toEqual(ruleFiles.map((f) => f.replace(/\.yml$/, ".test.yml")).sort());
    expect(tests).toContain("watchdog.test.yml");
    const files = Object.fromEntries(
      all.map(({ f, d }) => [`/rules/${f}`, readFileSync(path.join(d, f), "utf8")]),
    );
    const r = await runOnce({
      image: (await imageTags()).prometheus,
      cmd: ["sh", "-c", `cd /rules && promtool test rules ${tests.join(" ")}`],
      files,
      runId,
    });
    expect(r.exitCode, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("Alertmanager accepts alertmanager.yml", async () => {
    const r = await runOnce({
      image: (await imageTags()).alertmanager,
      cmd: ["sh", "-c", "amtool check-config /etc/alertmanager/alertmanager.yml"],
      files: { "/etc/alertmanager/alertmanager.yml": config.alertmanager },
      runId,
    });
    expect(r.exitCode, r.output).toBe(0);
  });
});
