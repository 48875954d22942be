import { expectAlert, type AlertExpectation, type AlertOutcome } from "../alerts/expect-alert.ts";
import type { AlertMatcher } from "../alerts/alert-key.ts";
import { ALERT_BUDGET as B } from "../drills/drill-steps.ts";
import { service } from "../topology/topology.ts";
import type { FaultSpan } from "./outage-windows.ts";

/**
 * Every alert rule of the hardened profile (cluster/config/hardened/rules; a unit test keeps the two
 * equal). A mix of faults raises alerts no single-fault drill predicts (a crash during a split makes
 * both replicas' alerts and the server's fire together), so in an explored schedule any of them may
 * fire: only the expected ones are judged.
 */
export const HARDENED_ALERTS = [
  "AppInstanceDown",
  "MariaDBDown",
  "ExporterScrapeFailing",
  "ServerDown",
  "ScrapeTargetDown",
  "HAProxyServerDown",
  "HAProxyRunningOnBackup",
  "HAProxyNoServerAvailable",
  "HighHTTP5xxRate",
  "ReplicationIOThreadStopped",
  "ReplicationSQLThreadStopped",
  "ReplicationSQLError",
  "ReplicationLagHigh",
  "ReplicationNotMonitored",
] as const;

export const anyHardenedAlert: readonly AlertMatcher[] = HARDENED_ALERTS.map((name) => ({ name }));

/**
 * A fault is covered when a scripted drill proves which alert it raises and how fast (the same fault
 * for as long: 10 s) and nothing else was going on while it was active, so nothing could hide that
 * alert or explain it away: crash-node1 (ServerDown), kill-node1-db (MariaDBDown), the app's own
 * (AppInstanceDown), split-replication (ReplicationIOThreadStopped on both nodes). Freezes and
 * partitions are not covered: no drill proves what they raise.
 */
export const COVERED_MIN_SECONDS = 10;

function expectedFor(span: FaultSpan): AlertExpectation[] {
  const { kind, target } = span.fault;
  const alert = (name: string, labels: Record<string, string>) =>
    expectAlert(name, labels).firesWithin(B.fires).notifiedWithin(B.notified).resolvesWithin(B.resolves);
  if (kind === "crash-server" && target) return [alert("ServerDown", { server: target })];
  if (kind === "kill-service" && target) {
    const s = service(target);
    if (s.kind === "db") return [alert("MariaDBDown", { node: s.server })];
    if (s.kind === "app") return [alert("AppInstanceDown", { node: s.server })];
  }
  if (kind === "split-replication")
    return (["node1", "node2"] as const).map((node) => alert("ReplicationIOThreadStopped", { node }));
  return [];
}

const overlaps = (a: FaultSpan, b: FaultSpan) => a.injectAt < b.healedAt && b.injectAt < a.healedAt;

/** The covered faults of a run, each with the alerts it must raise, notify and resolve. */
export function coveredAlerts(
  spans: readonly FaultSpan[],
): { span: FaultSpan; expected: AlertExpectation[] }[] {
  return spans
    .filter((s) => (s.healAt - s.injectedAt) / 1000 >= COVERED_MIN_SECONDS)
    .filter((s) => !spans.some((o) => o !== s && overlaps(o, s)))
    .map((span) => ({ span, expected: expectedFor(span) }))
    .filter((c) => c.expected.length > 0);
}

/**
 * Several faults' alert judgements as one: every alert and expectation, each expectation prefixed by
 * its fault, and each figure the worst (largest) of the faults'.
 */
export function mergeAlertOutcomes(parts: readonly { name: string; outcome: AlertOutcome }[]): AlertOutcome {
  const figures: Record<string, number | null> = {};
  for (const p of parts)
    for (const [k, v] of Object.entries(p.outcome.figures)) {
      const was = figures[k];
      figures[k] = v === null ? (was ?? null) : was === undefined || was === null ? v : Math.max(was, v);
    }
  return {
    alerts: parts.flatMap((p) => p.outcome.alerts),
    expectations: parts.flatMap((p) =>
      p.outcome.expectations.map((e) => ({ ...e, description: `${p.name}: ${e.description}` })),
    ),
    figures,
  };
}
