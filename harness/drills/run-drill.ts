import type { ProfileName } from "../config/profiles.ts";
import { FaultUnsupportedError } from "../faults/fault.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import { ProviderUnavailableError, type Lab } from "../lab/lab.ts";
import { startLab } from "../lab/start-lab.ts";
import type { Progress } from "../progress/progress.ts";
import type { DrillResult } from "../report/run-report.ts";
import { drillDir, recordHistory, writeCheckInputs, writeDrillResult } from "../report/drill-files.ts";
import type { Settings } from "../settings/settings.ts";
import { describe as describeError } from "../util/errors.ts";
import type { DrillDefinition, DrillOutcome } from "./drill.ts";
import type { LoadOverrides } from "./load-overrides.ts";
import type { Mutation } from "../mutants/mutation.ts";
import { AlertWatcher, prometheusSource } from "../alerts/alert-watcher.ts";
import { pushHarnessMetrics, type MetricsPusher } from "../metrics/harness-metrics.ts";
import { PrometheusClient } from "../probes/prometheus-client.ts";
import { ReceiverClient } from "../probes/receiver-client.ts";
import { GrafanaClient } from "../probes/grafana-client.ts";
import type { AlertSource } from "../alerts/alert-watcher.ts";
import type { LabEndpoints } from "../lab/lab.ts";
import { saveContainerLogs, saveEnvironmentAndMetrics } from "./save-lab-artifacts.ts";
import { StateSampler } from "../probes/state-sampler.ts";
import { unwaivedUnknowns } from "../checkers/checker.ts";
import { SteadyStateNotMetError } from "./drill.ts";
import { LabUncleanError, requireCleanLab } from "../lab/lab-clean.ts";
import { awaitFirstWatchdog } from "../alerts/await-watchdog.ts";
import { WATCHDOG } from "../alerts/pipeline-alive.ts";

export interface RunDrillOptions {
  runDir: string;
  settings: Settings;
  progress: Progress;
  overrides?: LoadOverrides;
  /** A planted misconfiguration (`firedrill mutants`): the lab comes up with it. */
  mutation?: Mutation;
  /**
   * Attach to a lab already running (one per profile for a whole run of drills) instead of bringing
   * one up: it must be clean before the drill, and stays up after it.
   */
  attach?: () => Promise<Lab>;
  /** How long an attached lab may take to become clean (default 60 s). */
  cleanTimeoutMs?: number;
}

/**
 * Lab up, drill, artifacts, lab down. The artifacts (what `firedrill report` reads back; their files
 * are drill-files.ts's): history.jsonl, findings.json, result.json, observed.json (the databases as
 * the drill left them), convergence.json, environment.json, metrics/prometheus.json (what Prometheus
 * saw) and logs/<alias>.log (with the engine's timestamps).
 * The verdict is pass only when every expectation of this profile was met; a fault this machine
 * cannot inject makes it skipped, with the reason.
 */
export async function runDrill(
  def: DrillDefinition,
  profile: ProfileName,
  o: RunDrillOptions,
): Promise<DrillResult> {
  const dir = drillDir(o.runDir, def.id, profile);
  const result: DrillResult = { drill: def.id, profile, verdict: "fail", figures: {}, findings: [] };
  // Until the drill ends this says it did not: a run killed even before its history began is still
  // reported (interrupted, never passed). Overwritten with the verdict at the end.
  writeDrillResult(o.runDir, {
    ...result,
    verdict: "interrupted",
    reason: `the run ended before the drill finished (started at ${new Date().toISOString()}, pid ${process.pid})`,
  });
  let lab: Lab | undefined;
  const drillStartedAt = Date.now();
  let history: HistoryRecorder | undefined;
  let watcher: AlertWatcher | undefined;
  let pusher: MetricsPusher | undefined;
  let states: StateSampler | undefined;
  const deferred: (() => Promise<unknown>)[] = [];
  try {
    o.progress.step(`drill ${def.id} (${profile}): ${def.expects[profile]}`);
    if (o.attach) {
      lab = await o.attach();
      // A previous drill on this lab may still be resolving its alerts or finishing a catch-up.
      await requireCleanLab(lab, { progress: o.progress, timeoutMs: o.cleanTimeoutMs });
    } else {
      lab = await startLab({ profile, settings: o.settings, progress: o.progress, mutation: o.mutation });
    }
    const first = await awaitFirstWatchdog(lab.endpoints.receiver.url, { progress: o.progress });
    if (first.arrived && first.seconds >= 1)
      o.progress.detail(`first ${WATCHDOG} notification after ${first.seconds.toFixed(1)} s`);
    history = recordHistory(dir, lab.runId);
    const receiver = new ReceiverClient(lab.endpoints.receiver.url);
    pusher = pushHarnessMetrics(history, receiver);
    watcher = new AlertWatcher({
      history,
      receiver,
      sources: [
        prometheusSource(new PrometheusClient(lab.endpoints.prometheus.url)),
        ...grafanaSources(lab.endpoints.grafana),
      ],
    }).start();
    // HAProxy's view of node1 and node2 and both replicas' threads, in the history from the start:
    // the steady state reads them, the report draws them.
    states = await new StateSampler({ history, endpoints: lab.endpoints }).start();
    const grafana = lab.endpoints.grafana;
    const tag = `${def.id}-${lab.runId}`;
    const outcome = await def.run({
      lab,
      profile,
      history,
      tag,
      dir,
      progress: o.progress,
      overrides: o.overrides ?? {},
      alerts: watcher,
      grafanaSkipped: "skipped" in grafana ? grafana.skipped : undefined,
      states,
      defer: (fn) => deferred.push(fn),
    });
    summarize(result, outcome);
    writeCheckInputs(dir, outcome);
  } catch (err) {
    if (err instanceof LabUncleanError) {
      result.verdict = "fail";
      result.findings.push(err.message);
    } else if (err instanceof SteadyStateNotMetError) {
      // The fault was never injected: nothing after this point would mean anything.
      result.verdict = "fail";
      result.findings.push(err.message);
      result.expectations = [
        {
          description: "steady state before the fault",
          met: false,
          detail: err.verdict.findings.map((f) => f.message).join("; "),
        },
      ];
    } else if (err instanceof FaultUnsupportedError) {
      result.verdict = "skipped";
      result.reason = err.reason;
    } else if (err instanceof ProviderUnavailableError) {
      // No VM can run here (or no lab to attach to): skipped with the reason, never passed.
      result.verdict = "skipped";
      result.reason = err.message;
    } else {
      result.verdict = "fail";
      result.findings.push(`drill crashed: ${describeError(err)}`);
    }
  } finally {
    for (const fn of deferred.reverse()) await fn().catch(() => undefined);
    await states?.stop().catch(() => undefined);
    await watcher?.stop().catch(() => undefined);
    await pusher?.stop().catch(() => undefined);
    if (watcher?.lastError) o.progress.warn(`alert watcher: last poll error: ${watcher.lastError}`);
    await history?.close();
    if (lab) {
      await saveEnvironmentAndMetrics(lab, dir, {
        repoRoot: o.settings.repoRoot,
        overrides: o.overrides ?? {},
        history,
      }).catch((err: unknown) =>
        o.progress.warn(`artifacts for the report not all saved: ${describeError(err)}`),
      );
      // A reused lab's logs from before this drill belong to the drills before it.
      await saveContainerLogs(lab, dir, o.attach ? drillStartedAt : undefined);
      await lab.down();
    }
    writeDrillResult(o.runDir, result);
    o.progress.step(
      `drill ${def.id} (${profile}): ${result.verdict}${result.reason ? ` (${result.reason})` : ""}`,
    );
  }
  return result;
}

/**
 * The verdict: pass only when every expectation of this profile was met and no checker stayed
 * `unknown` without the drill's written waiver (a checker that could not decide has not shown
 * anything, and a crashed checker is unknown).
 */
export function summarize(result: DrillResult, outcome: DrillOutcome): void {
  result.figures = { ...outcome.figures };
  // Unmet expectations first: they are why a drill failed (a seed drill's checker findings are
  // often exactly what it expected to catch), and the report and test output quote the first.
  const unmet = outcome.expectations.filter((e) => !e.met);
  for (const e of unmet)
    result.findings.push(`expected: ${e.description}${e.detail ? ` — ${e.detail}` : ""}`);
  const unknown = unwaivedUnknowns(outcome.verdicts, outcome.waivers);
  for (const v of unknown)
    result.findings.push(
      `${v.checker} could not decide (unknown, not waived): ${v.findings.map((f) => f.message).join("; ") || "no reason given"}`,
    );
  for (const v of outcome.verdicts) {
    if (unknown.includes(v)) continue;
    for (const f of v.findings) result.findings.push(`${v.checker}: ${f.message}`);
  }
  result.verdict = unmet.length === 0 && unknown.length === 0 ? "pass" : "fail";
  result.expectations = outcome.expectations;
  if (outcome.alerts) result.alerts = outcome.alerts;
}

function grafanaSources(g: LabEndpoints["grafana"]): AlertSource[] {
  if ("skipped" in g) return [];
  const client = new GrafanaClient(g.url, g.user, g.password);
  return [{ source: "grafana", active: () => client.alerts() }];
}
