import { demuxLogs } from "../engine/demux-logs.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { Lab } from "../lab/lab.ts";
import type { DrillFolder } from "../store/run-store.ts";
import { collectEnvironment } from "../probes/environment.ts";
import { snapshotMetrics } from "../probes/metric-snapshots.ts";
import { topology } from "../topology/topology.ts";
import { describe as describeError } from "../util/errors.ts";
import type { LoadOverrides } from "../settings/load-overrides.ts";

// What a drill saves from its lab for the report, asked of the lab before it goes down (through the drill's
// folder, whose files are the store's). Apart from the drill runner, so that it only runs the drill.

/**
 * The environment and Prometheus' view of the drill. Prometheus is asked only when the drill got as
 * far as its history: the snapshot spans the history's time.
 */
export async function saveEnvironmentAndMetrics(
  lab: Lab,
  folder: DrillFolder,
  o: { repoRoot: string; overrides: LoadOverrides; history: HistoryRecorder | undefined },
): Promise<void> {
  const env = await collectEnvironment(lab, {
    repoRoot: o.repoRoot,
    overrides: o.overrides,
    grafanaSkipped: "skipped" in lab.endpoints.grafana ? lab.endpoints.grafana.skipped : undefined,
  });
  folder.writeEnvironment(env);
  if (!o.history) return;
  folder.writeMetrics(await snapshotMetrics(lab.endpoints.prometheus.url, o.history.wallClockMs, Date.now()));
}

/**
 * Each container's last 2000 log lines, stamped by the engine so the report can line them up with
 * faults; read through the lab's own handle, so a lab on other engines (over SSH) has its logs too.
 * A container whose logs cannot be read gets a log saying why, never a missing file.
 */
export async function saveContainerLogs(lab: Lab, folder: DrillFolder, sinceEpochMs?: number): Promise<void> {
  for (const s of topology) {
    if (!s.image) continue;
    let text: string;
    try {
      const buf = (await lab.container(s.alias).logs({
        stdout: true,
        stderr: true,
        tail: 2000,
        ...(sinceEpochMs !== undefined ? { since: Math.floor(sinceEpochMs / 1000) } : {}),
        timestamps: true,
        follow: false,
      })) as unknown as Buffer;
      text = demuxLogs(buf).trimEnd();
    } catch (err) {
      text = `(no logs: ${describeError(err)})`;
    }
    folder.writeLog(s.alias, text);
  }
}
