import type { DrillResult } from "../store/drill-result.ts";
import type { RunStore } from "../store/run-store.ts";
import { writeReportOrWarn } from "./write-report.ts";

/**
 * The end of every run (`run`, `explore`, `mutants`, the scenarios): summary.json and the latest
 * link (the store's), then index.html and summary.md over the finished folder. A report that cannot
 * be written is a warning, never a changed verdict.
 */
export function closeRun(
  run: RunStore,
  warn: (message: string) => void,
): { results: DrillResult[]; report: string | undefined } {
  const results = run.finish();
  return { results, report: writeReportOrWarn(run.dir, warn) };
}
