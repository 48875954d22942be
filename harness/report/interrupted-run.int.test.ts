import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { dockerClient } from "../engine/docker-client.ts";
import type { HistoryEvent } from "../history/history.ts";
import { LABEL_FIREDRILL, LABEL_PID, LABEL_RUN } from "../lab/labels.ts";
import { removeLabeled } from "../lab/reaper.ts";
import { resolveSettings } from "../settings/settings.ts";
import { leftovers } from "../testing/lab-assertions.ts";
import type { DrillResult } from "../store/drill-result.ts";

const { repoRoot } = resolveSettings();
const cli = path.join(repoRoot, "bin", "firedrill.mjs");
const DRILL = "split-replication";
const PROFILE = "hardened";

/** The labs (run labels) the killed process started: found by its pid, should the history never say. */
async function labsOf(pid: number): Promise<string[]> {
  const cs = await dockerClient().listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${LABEL_FIREDRILL}=1`, `${LABEL_PID}=${pid}`] }),
  });
  return [...new Set(cs.map((c) => c.Labels[LABEL_RUN]!).filter(Boolean))];
}

/** What `docker rm -f $(docker ps -aq --filter label=firedrill.run=<id>)` and `docker network rm firedrill-<id>` do. */
async function removeLab(runId: string): Promise<void> {
  await removeLabeled([`${LABEL_RUN}=${runId}`]);
  await dockerClient()
    .getNetwork(`firedrill-${runId}`)
    .remove()
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
}

describe("a drill killed mid-run (SIGKILL)", () => {
  it("leaves a history that `firedrill report` shows as an interrupted drill, never passed", async () => {
    const reports = mkdtempSync(path.join(os.tmpdir(), "fd-killed-"));
    const child = spawn("node", [cli, "run", DRILL, "--profile", PROFILE], {
      cwd: repoRoot,
      env: { ...process.env, FIREDRILL_REPORTS_DIR: reports, FIREDRILL_PLAIN_PROGRESS: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((r) =>
      child.once("exit", (code, signal) => r(signal ?? code)),
    );
    const labs = new Set<string>();
    try {
      // Poll the streamed history until it records the fault (the drill is then mid-fault).
      let found: { runDir: string; history: string } | undefined;
      for (const deadline = Date.now() + 280_000; !found; await sleep(200)) {
        if (child.exitCode !== null)
          throw new Error(
            `firedrill run exited (${child.exitCode}) before any fault:\n${stderr.slice(-3000)}`,
          );
        if (Date.now() > deadline)
          throw new Error(`no fault in the history after 280 s:\n${stderr.slice(-3000)}`);
        const runId = existsSync(reports) ? readdirSync(reports).find((n) => n.startsWith("fd-")) : undefined;
        const file = runId && path.join(reports, runId, DRILL, PROFILE, "history.jsonl");
        if (!file || !existsSync(file)) continue;
        const history = readFileSync(file, "utf8");
        if (history.includes('"type":"fault"')) found = { runDir: path.join(reports, runId), history };
      }
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");
      const { runDir } = found;
      const start = JSON.parse(found.history.split("\n")[0]!) as Extract<HistoryEvent, { type: "start" }>;
      labs.add(start.runId);
      const drillDir = path.join(runDir, DRILL, PROFILE);
      // What a killed run leaves: the history, and the result.json the drill wrote when it started.
      expect(JSON.parse(readFileSync(path.join(drillDir, "result.json"), "utf8"))).toMatchObject({
        verdict: "interrupted",
      });

      const report = await promisify(execFile)("node", [cli, "report", runDir], {
        cwd: repoRoot,
        env: { ...process.env, FIREDRILL_REPORTS_DIR: reports },
        timeout: 120_000,
      });
      expect(report.stdout).toContain(
        `1 drill was interrupted (the run ended before it finished), no verdict: ${DRILL} (${PROFILE})\n`,
      );
      const summary = JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")) as DrillResult[];
      expect(summary).toHaveLength(1);
      expect(summary[0]).toMatchObject({ drill: DRILL, profile: PROFILE, verdict: "interrupted" });
      expect(summary[0]!.reason).toMatch(
        /^the run ended before the drill finished \(started at \S+, pid \d+\): history\.jsonl has \d+ events, the last at [\d.]+ s; result\.json says interrupted$/,
      );
      // Whitespace around tags dropped: the templates are formatted for reading.
      const page = readFileSync(path.join(runDir, "index.html"), "utf8")
        .replace(/\s+/g, " ")
        .replace(/> /g, ">")
        .replace(/ </g, "<");
      const section = page.slice(page.indexOf(`id="${DRILL}-${PROFILE}"`));
      expect(page).toContain('<span class="badge interrupted">interrupted</span>');
      expect(page).not.toContain('class="badge pass"');
      expect(section).toContain('data-group="fault"');
      expect(section).toContain("Faults so far");
      expect(section).toContain("Operations so far");
      expect(section).toContain("Analysis re-run on the partial history");
      // Killed mid-fault: whether or not its effect had shown, the cut-off history never says it had none.
      expect(section).toMatch(
        /<td>fault-effect<\/td><td>none: interrupted<\/td><td>(valid|not re-run)<\/td>/,
      );
      expect(readFileSync(path.join(runDir, "summary.md"), "utf8")).toContain(
        `| ${DRILL} | ${PROFILE} | ⚠️ interrupted: the run ended before the drill finished`,
      );
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
      // The killed run could not remove its lab; the next run's reaper would, but this test does not
      // leave it for that.
      if (child.pid) for (const id of await labsOf(child.pid)) labs.add(id);
      for (const id of labs) await removeLab(id);
    }
    for (const id of labs) expect(await leftovers(id)).toEqual([]);
  }, 420_000);
});
