import type { DrillResult } from "../store/drill-result.ts";

/** The figures a reviewer reads first, in the verdict table and the markdown summary. */
export const keyFigureColumns = [
  { key: "failoverSeconds", label: "failover", unit: "s" },
  { key: "requestsFailed", label: "requests failed", unit: "" },
  { key: "acknowledgedWritesLost", label: "acked writes lost", unit: "" },
  { key: "secondsToConverge", label: "converged", unit: "s" },
  { key: "alertDetectSeconds", label: "detect", unit: "s" },
  { key: "alertNotifySeconds", label: "notify", unit: "s" },
  { key: "alertResolveSeconds", label: "resolve", unit: "s" },
  // The consistency checker's anomalies, every kind counted (the models column names what they leave).
  { key: "anomalies", label: "anomalies", unit: "" },
] as const;

/** A figure as a cell: `–` when the drill did not measure it. */
export function figureCell(r: DrillResult, key: string): string {
  const v = r.figures[key];
  if (v === null || v === undefined) return "–";
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** The verdict with the reason when skipped or interrupted (neither has a verdict of its own). */
export function verdictText(r: DrillResult): string {
  return r.verdict === "skipped" || r.verdict === "interrupted"
    ? `${r.verdict}: ${r.reason ?? "no reason given"}`
    : r.verdict;
}

/**
 * The strongest consistency models the drill's history is consistent with, short (the full
 * sentence, with what is ruled out, is the drill's Consistency block): `–` when not checked.
 */
export function modelsCell(r: DrillResult): string {
  if (!r.consistency) return "–";
  return r.consistency.strongest.length ? r.consistency.strongest.join(", ") : "none";
}
