import { z } from "zod";
import { defineChecker } from "../checker.ts";
import { ANOMALY_KINDS } from "../consistency/anomalies.ts";
import { analyseConsistency } from "../consistency/check-consistency.ts";
import { describeModels, type ModelVerdict } from "../consistency/models.ts";
import type { ConsistencySummary } from "../../store/drill-result.ts";
import type { HistoryEvent } from "../../history/history.ts";
import type { ObservedState } from "../../store/observed.ts";
import type { CheckResult } from "../../store/check-result.ts";

/**
 * Consistency as a model: the anomalies of the history (final reads included) and of the nodes'
 * rows at the end, and the consistency models they leave. Valid when it finds no anomaly at all;
 * what a drill requires of a profile is the models it names (`satisfies`, drills/expectations.ts),
 * so a profile may show anomalies its models allow (write skew under repeatable read).
 */
export function checkConsistency(history: readonly HistoryEvent[], observed?: ObservedState): CheckResult {
  const a = analyseConsistency(history, observed?.snapshots);
  const total = Object.values(a.counts).reduce((s, n) => s + n, 0);
  const perKind = Object.fromEntries(ANOMALY_KINDS.map((k) => [k, a.counts[k] ?? 0]));
  return {
    checker: "consistency",
    valid: total === 0,
    findings: a.examples.map((x) => ({
      kind: x.kind,
      message: `${x.kind}: ${x.message}`,
      evidence: x,
    })),
    figures: {
      anomalies: total,
      operations: a.size.operations,
      transactions: a.size.transactions,
      lists: a.size.lists,
      items: a.size.items,
      dependencyEdges: a.size.edges,
      ...perKind,
    },
    models: a.models,
  };
}

/** What result.json and `firedrill run --json` carry of the checker's result: counts and models. */
export function consistencySummary(r: CheckResult): ConsistencySummary | undefined {
  if (!r.models) return undefined;
  const anomalies = Object.fromEntries(
    ANOMALY_KINDS.filter((k) => (r.figures[k] ?? 0) > 0).map((k) => [k, r.figures[k] as number]),
  );
  return { anomalies, ...r.models, models: describeModels(r.models as ModelVerdict) };
}

/** One line for a report or a log: the anomalies by kind, and the models. */
export function consistencyLine(s: ConsistencySummary): string {
  const kinds = Object.entries(s.anomalies).map(([k, n]) => `${n} ${k}`);
  return `${kinds.length ? kinds.join(", ") : "no anomaly"}; ${s.models}`;
}

export default defineChecker({
  id: "consistency",
  description:
    "list-append, registers, real time, session guarantees and the dependency graph's cycles (G0 to G2-item): the anomalies, and the consistency models they leave",
  options: z.undefined(),
  needs: ["observed"],
  figures: ["anomalies", "operations", "transactions", "lists", "items", "dependencyEdges", ...ANOMALY_KINDS],
  keyFigures: ["anomalies"],
  check: (input) => checkConsistency(input.history, input.observed),
});
