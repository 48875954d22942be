import type { ProfileName } from "../config/profiles.ts";
import { slaveState } from "../db/replication.ts";
import { fetchServerStates } from "./haproxy-metrics.ts";
import { nodeState, within } from "./db-state.ts";
import { sameData } from "../store/convergence-samples.ts";
import { PrometheusClient } from "./prometheus-client.ts";
import type { Progress } from "../progress/progress.ts";
import { nodeNames, topology } from "../topology/topology.ts";
import { describe, UserError } from "../util/errors.ts";
import type { Lab } from "../lab/lab.ts";

/** Alerts a clean lab may have firing: the harness's Watchdog, and what a profile always shows. */
const ALWAYS: Record<ProfileName, readonly string[]> = {
  hardened: ["Watchdog"],
  // The seed has no alert rule of its own (as the original): only the harness's Watchdog.
  seed: ["Watchdog"],
};

/** The lab a drill was to reuse was not back to a clean state: the drill fails, saying what is wrong. */
export class LabUncleanError extends UserError {
  constructor(
    readonly problems: readonly string[],
    seconds: number,
  ) {
    super(`lab unclean before the drill (after ${seconds.toFixed(0)} s): ${problems.join("; ")}`, 1);
    this.name = "LabUncleanError";
  }
}

/**
 * What is not clean about a reused lab now: a service stopped or frozen, a server out of HAProxy,
 * replication not running or the replicas' tables different, an alert still firing. Empty: clean.
 */
export async function uncleanNow(lab: Lab): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(
    topology
      .filter((s) => s.image !== undefined)
      .map(async (s) => {
        const st = await within(3000, `inspecting ${s.alias}`, lab.container(s.alias).inspect()).then(
          (i) => i.State,
          (err: unknown) => ({ Running: false, Paused: false, Status: describe(err) }),
        );
        if (!st.Running || st.Paused) problems.push(`${s.alias} is ${st.Paused ? "paused" : st.Status}`);
      }),
  );
  const servers = await fetchServerStates(lab.endpoints.haproxy.metricsUrl).catch((err: unknown) => ({
    error: describe(err),
  }));
  if ("error" in servers) problems.push(`HAProxy's metrics: ${String(servers.error)}`);
  else
    for (const n of nodeNames)
      if (servers[n] !== "UP") problems.push(`HAProxy has ${n} ${servers[n] ?? "missing"}`);
  const dbs = nodeNames.map((n) => lab.endpoints.nodes[n].db);
  const replicas = await Promise.all(
    dbs.map((db) => within(3000, "SHOW SLAVE STATUS", slaveState(db)).catch(() => undefined)),
  );
  replicas.forEach((r, i) => {
    if (!r || r.ioRunning !== "Yes" || r.sqlRunning !== "Yes" || r.lastSqlErrno !== 0)
      problems.push(
        `${nodeNames[i]}'s replication: ${r ? `IO ${r.ioRunning}, SQL ${r.sqlRunning}${r.lastSqlErrno ? `, error ${r.lastSqlErrno}` : ""}` : "unreadable"}`,
      );
  });
  const [s1, s2] = await Promise.all(dbs.map((db) => nodeState(db)));
  if (!sameData(s1, s2)) problems.push("the replicas' tables differ (CHECKSUM TABLE)");
  const alerts = await new PrometheusClient(lab.endpoints.prometheus.url)
    .activeAlerts()
    .catch((err: unknown) => {
      problems.push(`Prometheus: ${describe(err)}`);
      return [];
    });
  const noisy = alerts.filter((a) => !ALWAYS[lab.profile].includes(a.labels.alertname ?? ""));
  if (noisy.length)
    problems.push(
      `alerts still active: ${[...new Set(noisy.map((a) => `${a.labels.alertname}${a.labels.node ? `{${a.labels.node}}` : ""} ${a.state}`))].join(", ")}`,
    );
  return problems;
}

/**
 * Waits (bounded) until a reused lab is clean — a previous drill's alerts resolving, its replicas
 * finishing their catch-up — and throws LabUncleanError, naming what is still wrong, when it is not.
 */
export async function requireCleanLab(
  lab: Lab,
  o: { progress: Progress; timeoutMs?: number },
): Promise<{ seconds: number }> {
  const t0 = performance.now();
  const deadline = t0 + (o.timeoutMs ?? 60_000);
  let problems = await uncleanNow(lab);
  while (problems.length > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    problems = await uncleanNow(lab);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (problems.length > 0) throw new LabUncleanError(problems, seconds);
  o.progress.detail(`lab ${lab.runId} is clean (checked in ${seconds.toFixed(1)} s)`);
  return { seconds };
}
