import { z } from "zod";
import {
  ANOMALIES,
  type Anomaly,
  type AnomalyKind,
  type CycleEdge,
  type InvolvedOp,
} from "../../checkers/consistency/anomalies.ts";
import { consistencySummary } from "../../checkers/kinds/consistency.ts";
import type { CheckResult } from "../../store/check-result.ts";
import type { ConsistencySummary } from "../../store/drill-result.ts";
import type { DrillArtifacts } from "../../store/run-folder.ts";
import type { Reanalysis } from "../reanalyze.ts";
import { dataTable } from "./data-table.ts";
import { anchor, html, type SafeHtml } from "./html.ts";

const isKind = (k: unknown): k is AnomalyKind => typeof k === "string" && Object.hasOwn(ANOMALIES, k);

// findings.json keeps a finding's evidence as the checker left it (`unknown`): an example is drawn
// only when it has the shape of an Anomaly, so a file from another version cannot break the page.
const InvolvedOpSchema = z.object({
  index: z.number(),
  process: z.number(),
  what: z.string(),
  type: z.string(),
  node: z.string().optional(),
  invokedAt: z.number(),
  completedAt: z.number().optional(),
}) satisfies z.ZodType<InvolvedOp>;
const AnomalySchema = z.object({
  kind: z.custom<AnomalyKind>(isKind),
  message: z.string(),
  key: z.string(),
  ops: z.array(InvolvedOpSchema),
  cycle: z
    .array(z.object({ from: z.number(), to: z.number(), type: z.enum(["ww", "wr", "rw"]), key: z.string() }))
    .optional(),
  at: z.number(),
}) satisfies z.ZodType<Anomaly>;

/** What the report knows of a drill's consistency: its summary, and the checker's result if any. */
export interface DrillConsistency {
  /** Absent when the checker could not tell (its result has no models: `unknown`). */
  summary: ConsistencySummary | undefined;
  result: CheckResult | undefined;
  /** The result is the report's re-run, not the drill's own (the drill saved none). */
  rerun: boolean;
  examples: Anomaly[];
}

/**
 * The consistency checker's result for a drill: the drill's own (findings.json) first, as its
 * result.json summarises it; else the report's re-run on the saved history. The summary is
 * result.json's, or made from whichever result there is (results saved before the summary existed).
 */
export function drillConsistency(
  d: DrillArtifacts,
  reanalysis: readonly Reanalysis[],
): DrillConsistency | undefined {
  const saved = d.outcome?.verdicts.find((v) => v.checker === "consistency");
  const rerun = saved ? undefined : reanalysis.find((x) => x.checker === "consistency")?.rerun;
  const result = saved ?? rerun;
  const summary = d.result.consistency ?? (result && consistencySummary(result));
  if (!summary && !result) return undefined;
  const examples = (result?.findings ?? []).flatMap((f) => {
    const a = AnomalySchema.safeParse(f.evidence);
    return a.success ? [a.data] : [];
  });
  return { summary, result, rerun: !saved && rerun !== undefined, examples };
}

const secs = (ms: number | undefined) => (ms === undefined ? "no answer" : (ms / 1000).toFixed(3));

/** A dependency cycle as a chain: `op 12 —wr(list 3)→ op 15 —rw(list 3)→ op 12`. */
export function cycleText(cycle: readonly CycleEdge[]): string {
  let out = "";
  let at: number | undefined;
  for (const e of cycle) {
    // Edges chain (each starts where the last ended); one that does not starts a new run.
    if (e.from !== at) out += `${out ? "; " : ""}op ${e.from}`;
    out += ` —${e.type}(${e.key})→ op ${e.to}`;
    at = e.to;
  }
  return out;
}

function opsTable(ops: readonly InvolvedOp[]): SafeHtml {
  return dataTable(
    "anomaly-ops",
    [
      { num: "op" },
      { num: "process" },
      "node",
      "outcome",
      { num: "invoked", unit: "s" },
      { num: "answered", unit: "s" },
      "operation",
    ],
    ops.map(
      (o) =>
        html`<tr>
          <td class="num">${o.index}</td>
          <td class="num">${o.process}</td>
          <td>${o.node ?? "–"}</td>
          <td>${o.type}</td>
          <td class="num">${secs(o.invokedAt)}</td>
          <td class="num">${secs(o.completedAt)}</td>
          <td>${o.what}</td>
        </tr>`,
    ),
  );
}

const examplesId = (id: string, kind: string) => anchor("anomaly-examples", id, kind);

/** Each kind's kept examples (at most 20 of a kind; the rest are counted), each with its explanation. */
function examples(id: string, kind: string, count: number, all: readonly Anomaly[]): SafeHtml {
  const mine = all.filter((a) => a.kind === kind);
  if (mine.length === 0) return html``;
  return html`<details class="anomaly-examples" id="${examplesId(id, kind)}" data-kind="${kind}">
    <summary>
      <strong>${kind}</strong>: ${mine.length < count ? `${mine.length} of ${count}` : count}
      example${count === 1 ? "" : "s"}
    </summary>
    <ol>
      ${mine.map(
        (a) =>
          html`<li class="anomaly-example">
            <p><code>${a.key}</code>, visible at ${secs(a.at)} s: ${a.message}</p>
            ${a.cycle?.length ? html`<p class="cycle">Cycle: ${cycleText(a.cycle)}</p>` : ""}${opsTable(
              a.ops,
            )}
          </li>`,
      )}
    </ol>
  </details>`;
}

/** One row per anomaly kind found: how many, what it means, the models it rules out directly. */
function anomaliesTable(id: string, c: DrillConsistency, summary: ConsistencySummary): SafeHtml {
  const kinds = Object.entries(summary.anomalies).filter(([, n]) => n > 0);
  return html`${dataTable(
    "anomalies",
    ["kind", { num: "count" }, "what it means", "rules out"],
    kinds.map(([kind, n]) => {
      // A kind this report does not know (a newer checker's) is still counted, only not explained.
      const known = isKind(kind) ? ANOMALIES[kind] : undefined;
      const linked = c.examples.some((a) => a.kind === kind);
      return html`<tr class="anomaly" data-kind="${kind}">
        <th scope="row">${linked ? html`<a href="#${examplesId(id, kind)}">${kind}</a>` : kind}</th>
        <td class="num">${n}</td>
        <td>${known?.what ?? "–"}</td>
        <td>${known ? known.rulesOut.join(", ") : "–"}</td>
      </tr>`;
    }),
    anchor("anomalies", id),
  )}${kinds.map(([kind, n]) => examples(id, kind, n, c.examples))}`;
}

/**
 * The drill's consistency: the models its history is consistent with, and the anomalies that rule
 * the others out, each kind with its examples; or one line when there is none. Empty when the
 * drill was not checked for consistency.
 */
export function consistencySection(id: string, c: DrillConsistency | undefined): SafeHtml {
  if (!c) return html``;
  const s = c.summary;
  const rerun = c.rerun
    ? html`<p class="note">
        The drill saved no consistency result (findings.json): what follows is the report's re-run on its
        saved history.
      </p>`
    : "";
  if (!s)
    return html`<h4 id="${anchor("consistency", id)}">Consistency</h4>
      ${rerun}
      <p class="note consistency-unknown">
        The consistency checker could not tell which models the history is consistent with:
        ${c.result?.findings.map((f) => f.message).join("; ") || "it gave no reason"}.
      </p>`;
  const anomalies = Object.values(s.anomalies).reduce((sum, n) => sum + n, 0);
  const operations = c.result?.figures.operations;
  const checked =
    typeof operations === "number"
      ? operations === 1
        ? " in the one operation checked"
        : ` in the ${operations} operations checked`
      : "";
  return html`<h4 id="${anchor("consistency", id)}">Consistency</h4>
    ${rerun}
    <p class="consistency-models"><strong>Models:</strong> ${s.models}.</p>
    ${
      anomalies === 0
        ? html`<p class="ok consistency-none">No anomaly${checked}.</p>`
        : anomaliesTable(id, c, s)
    }`;
}
