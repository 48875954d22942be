import { figureCell, keyFigureColumns, modelsCell, verdictText } from "./key-figures.ts";
import type { DrillResult, DrillVerdict } from "../store/drill-result.ts";

// Keyed by every verdict, so a new one cannot reach the summary without its own mark.
const ICON: Record<DrillVerdict, string> = { pass: "✅", fail: "❌", skipped: "⏭️", interrupted: "⚠️" };

/** A markdown cell: one line, pipes escaped, no raw HTML (findings quote what the servers said). */
function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `summary.md`: the verdict table with the key figures, for a CI job summary ($GITHUB_STEP_SUMMARY). */
export function markdownSummary(runId: string, results: readonly DrillResult[]): string {
  const count = (v: DrillResult["verdict"]) => results.filter((r) => r.verdict === v).length;
  const head = [
    "drill",
    "profile",
    "verdict",
    ...keyFigureColumns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label)),
    "models",
  ];
  const rows = results.map((r) => [
    r.drill,
    r.profile,
    `${ICON[r.verdict]} ${verdictText(r)}`,
    ...keyFigureColumns.map((c) => figureCell(r, c.key)),
    modelsCell(r),
  ]);
  const failing = results.filter((r) => r.verdict === "fail");
  const interrupted = results.filter((r) => r.verdict === "interrupted");
  return [
    `## firedrill run ${cell(runId)}`,
    "",
    `${count("pass")} passed, ${count("fail")} failed, ${count("skipped")} skipped, ${count("interrupted")} interrupted.`,
    "",
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
    ...(failing.length
      ? [
          "",
          "### Why it failed",
          "",
          ...failing.flatMap((r) => [
            `- **${cell(r.drill)} (${cell(r.profile)})**`,
            ...r.findings.slice(0, 10).map((f) => `  - ${cell(f)}`),
            ...(r.findings.length > 10 ? [`  - … ${r.findings.length - 10} more in result.json`] : []),
          ]),
        ]
      : []),
    ...(interrupted.length
      ? [
          "",
          "### Interrupted: no verdict",
          "",
          "The run ended before these drills finished; they have no verdict of their own (never a pass). The report shows what their history recorded until then.",
          "",
          ...interrupted.map(
            (r) => `- **${cell(r.drill)} (${cell(r.profile)})**: ${cell(r.reason ?? "no reason given")}`,
          ),
        ]
      : []),
    "",
    "Times in seconds: failover from the fault to the first success on the standby; converged after the heal and the last write; detect / notify / resolve are the slowest of the drill's alerts (fault → firing, fault → webhook, heal → resolved webhook). Anomalies: the consistency checker's, every kind; models: the strongest consistency models the history is still consistent with. The full report is `index.html` beside this file.",
    "",
  ].join("\n");
}
