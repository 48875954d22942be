import { awaitFirstWatchdog } from "../alerts/await-watchdog.ts";
import { WATCHDOG } from "../alerts/pipeline-alive.ts";
import type { Mutation } from "../config/mutation.ts";
import type { ProfileName } from "../config/profiles.ts";
import { FaultUnsupportedError } from "../faults/fault.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import { ProviderUnavailableError, type Lab } from "../lab/lab.ts";
import { LabUncleanError, requireCleanLab } from "../probes/lab-clean.ts";
import type { Progress } from "../progress/progress.ts";
import { startLab } from "../providers/start-lab.ts";
import type { DrillResult } from "../store/drill-result.ts";
import type { DrillFolder } from "../store/run-store.ts";
import { AsyncDisposableStackImpl } from "../util/async-disposable-stack.ts";
import { describe as describeError } from "../util/errors.ts";
import { openDrillContext, type DrillSettings } from "./context.ts";
import { interpret } from "./interpret.ts";
import { savedFindings, summarize } from "./outcome.ts";
import { saveContainerLogs, saveEnvironmentAndMetrics } from "./save-lab-artifacts.ts";
import type { DrillSpec } from "./spec.ts";
import { SteadyStateNotMetError } from "./steps/steady-state.ts";

export interface RunDrillOptions {
  /** The drill's folder in its run (the store's `run.drill(id, label)`). */
  folder: DrillFolder;
  settings: DrillSettings;
  progress: Progress;
  /** A planted misconfiguration (`firedrill mutants`): the lab comes up with it, and the result says so. */
  mutant?: { id: string; mutation: Mutation };
  /**
   * Attach to a lab already running (one per profile for a whole run of drills) instead of bringing
   * one up: it must be clean before the drill, and stays up after it.
   */
  attach?: () => Promise<Lab>;
  /** How long an attached lab may take to become clean (default 60 s). */
  cleanTimeoutMs?: number;
}

/**
 * Lab up, drill, artifacts, lab down. Everything the drill starts is registered on one teardown
 * stack as it starts — the lab's removal first, its artifacts, the observers, what the plan started —
 * and taken down in reverse whatever happens, past any step that fails. The artifacts are what
 * `firedrill report` reads back (history.jsonl, findings.json, result.json, observed.json,
 * convergence.json, environment.json, metrics/prometheus.json, logs/<alias>.log). The verdict is
 * pass only when every expectation of this profile was met; a fault this machine cannot inject
 * makes it skipped, with the reason.
 */
export async function runDrill(
  spec: DrillSpec,
  profile: ProfileName,
  o: RunDrillOptions,
): Promise<DrillResult> {
  const result: DrillResult = {
    drill: spec.id,
    profile: o.folder.label,
    verdict: "fail",
    title: spec.title,
    expects: spec.expects[profile],
    figures: {},
    findings: [],
    ...(o.mutant ? { mutant: o.mutant.id } : {}),
  };
  // Until the drill ends this says it did not: a run killed even before its history began is still
  // reported (interrupted, never passed). Overwritten with the verdict at the end.
  o.folder.writeResult({
    ...result,
    verdict: "interrupted",
    reason: `the run ended before the drill finished (started at ${new Date().toISOString()}, pid ${process.pid})`,
  });
  const teardown = new AsyncDisposableStackImpl();
  const drillStartedAt = Date.now();
  let history: HistoryRecorder | undefined;
  try {
    o.progress.step(`drill ${spec.id} (${profile}): ${spec.expects[profile]}`);
    const lab = await bringUp(profile, o);
    teardown.defer(() => lab.down());
    teardown.defer(async () => {
      await saveEnvironmentAndMetrics(lab, o.folder, {
        repoRoot: o.settings.repoRoot,
        overrides: o.settings.overrides,
        history,
      }).catch((err: unknown) =>
        o.progress.warn(`artifacts for the report not all saved: ${describeError(err)}`),
      );
      // A reused lab's logs from before this drill belong to the drills before it.
      await saveContainerLogs(lab, o.folder, o.attach ? drillStartedAt : undefined);
    });
    const first = await awaitFirstWatchdog(lab.endpoints.receiver.url, { progress: o.progress });
    if (first.arrived && first.seconds >= 1)
      o.progress.detail(`first ${WATCHDOG} notification after ${first.seconds.toFixed(1)} s`);
    const ctx = await openDrillContext({
      drill: spec.id,
      lab,
      profile,
      folder: o.folder,
      settings: o.settings,
      progress: o.progress,
      teardown,
    });
    history = ctx.history;
    const outcome = await interpret(spec, ctx);
    summarize(result, outcome);
    o.folder.writeCheckInputs(savedFindings(outcome));
  } catch (err) {
    judgeFailure(result, err);
  } finally {
    await teardown
      .disposeAsync()
      .catch((err: unknown) =>
        o.progress.warn(`drill ${spec.id} (${profile}): teardown: ${describeError(err)}`),
      );
    o.folder.writeResult(result);
    o.progress.step(
      `drill ${spec.id} (${profile}): ${result.verdict}${result.reason ? ` (${result.reason})` : ""}`,
    );
  }
  return result;
}

/** The lab the drill runs on: the shared one, checked clean, or a fresh one (with the mutation planted). */
async function bringUp(profile: ProfileName, o: RunDrillOptions): Promise<Lab> {
  if (!o.attach)
    return startLab({ profile, settings: o.settings, progress: o.progress, mutation: o.mutant?.mutation });
  const lab = await o.attach();
  // A previous drill on this lab may still be resolving its alerts or finishing a catch-up.
  await requireCleanLab(lab, { progress: o.progress, timeoutMs: o.cleanTimeoutMs });
  return lab;
}

/** What an error that ended the drill says about it: failed, skipped with the reason, or crashed. */
function judgeFailure(result: DrillResult, err: unknown): void {
  if (err instanceof LabUncleanError) {
    result.verdict = "fail";
    result.findings.push(err.message);
  } else if (err instanceof SteadyStateNotMetError) {
    // The fault was never injected: nothing after this point would mean anything.
    result.verdict = "fail";
    result.findings.push(err.message);
    result.expectations = [
      {
        id: "steady-state-before",
        description: "steady state before the fault",
        met: false,
        detail: err.result.findings.map((f) => f.message).join("; "),
        failed: [...new Set(err.result.findings.map((f) => f.kind))],
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
}
