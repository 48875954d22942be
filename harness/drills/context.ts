import { AlertWatcher, prometheusSource, type AlertSource } from "../alerts/alert-watcher.ts";
import type { ProfileName } from "../config/profiles.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { Lab, LabEndpoints } from "../lab/lab.ts";
import { pushHarnessMetrics } from "../metrics/harness-metrics.ts";
import { GrafanaClient } from "../probes/grafana-client.ts";
import { PrometheusClient } from "../probes/prometheus-client.ts";
import { ReceiverClient } from "../probes/receiver-client.ts";
import { StateSampler } from "../probes/state-sampler.ts";
import type { Progress } from "../progress/progress.ts";
import type { LoadOverrides } from "../settings/load-overrides.ts";
import type { Settings } from "../settings/settings.ts";
import type { DrillFolder } from "../store/run-store.ts";
import type { TeardownStack } from "../util/async-disposable-stack.ts";

/** What a drill may read of the run's settings: resolved once by the command, never re-read from the environment. */
export interface DrillSettings extends Settings {
  /** From `firedrill run --rate/--duration`; the interpreter applies them to the plan. */
  readonly overrides: LoadOverrides;
  /** The environment the command runs in (k6 looks for its binary or image there). */
  readonly env: NodeJS.ProcessEnv;
}

/** Everything a drill acts and observes through while it runs. */
export interface DrillContext {
  lab: Lab;
  profile: ProfileName;
  settings: DrillSettings;
  history: HistoryRecorder;
  /** Prefix of every row this drill writes. */
  tag: string;
  /** The drill's folder (k6 writes its summaries there). */
  dir: string;
  progress: Progress;
  /** Records alerts and notifications into the history for the whole drill. */
  alerts: AlertWatcher;
  /** Why Grafana's alerts cannot be asserted on this lab; undefined where Grafana runs. */
  grafanaSkipped: string | undefined;
  /** Samples HAProxy's server states and both replicas' threads into the history for the whole drill. */
  states: { sync(): Promise<void> };
  /**
   * The drill's teardown: what it starts (a convergence observer) is registered here and stopped when
   * the drill ends, whatever happens, in reverse order, before the lab's own observers.
   */
  teardown: TeardownStack;
}

/**
 * The drill's observers, each registered on `teardown` as it starts, so they stop in reverse
 * order however the drill ends: the history (closed last), the harness's metrics, the alert
 * watcher, and the state sampler (HAProxy's view of node1 and node2 and both replicas' threads, in
 * the history from the start: the steady state reads them, the report draws them).
 */
export async function openDrillContext(o: {
  drill: string;
  lab: Lab;
  profile: ProfileName;
  folder: DrillFolder;
  settings: DrillSettings;
  progress: Progress;
  teardown: TeardownStack;
}): Promise<DrillContext> {
  const { lab, teardown } = o;
  const history = o.folder.recordHistory(lab.runId);
  teardown.defer(() => history.close());
  const receiver = new ReceiverClient(lab.endpoints.receiver.url);
  const pusher = pushHarnessMetrics(history, receiver);
  teardown.defer(() => pusher.stop());
  const alerts = new AlertWatcher({
    history,
    receiver,
    sources: [
      prometheusSource(new PrometheusClient(lab.endpoints.prometheus.url)),
      ...grafanaSources(lab.endpoints.grafana),
    ],
  }).start();
  teardown.defer(async () => {
    await alerts.stop();
    if (alerts.lastError) o.progress.warn(`alert watcher: last poll error: ${alerts.lastError}`);
  });
  const states = await new StateSampler({ history, endpoints: lab.endpoints }).start();
  teardown.defer(() => states.stop());
  const grafana = lab.endpoints.grafana;
  return {
    lab,
    profile: o.profile,
    settings: o.settings,
    history,
    tag: `${o.drill}-${lab.runId}`,
    dir: o.folder.dir,
    progress: o.progress,
    alerts,
    grafanaSkipped: "skipped" in grafana ? grafana.skipped : undefined,
    states,
    teardown,
  };
}

function grafanaSources(g: LabEndpoints["grafana"]): AlertSource[] {
  if ("skipped" in g) return [];
  const client = new GrafanaClient(g.url, g.user, g.password);
  return [{ source: "grafana", active: () => client.alerts() }];
}

/** The drill settings of a command: its resolved settings, the user's overrides, its environment. */
export function drillSettings(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  overrides: LoadOverrides = {},
): DrillSettings {
  return { ...settings, overrides, env };
}
