import type { Reanalysis } from "../reanalyze.ts";
import type { DrillArtifacts } from "../../store/run-folder.ts";
import type { AlertResult } from "../../store/drill-result.ts";
import { consistencySection, drillConsistency } from "./consistency-section.ts";
import { dataTable, type Column } from "./data-table.ts";
import { findingsSection, logExcerpts } from "./evidence.ts";
import { anchor, html, type SafeHtml } from "./html.ts";
import { fmt } from "../../util/format.ts";
import { partialHistory } from "./partial-history.ts";
import { historySpan } from "./series.ts";
import { timelineSvg } from "./timeline-svg.ts";

function expectations(d: DrillArtifacts): SafeHtml {
  const ex = d.result.expectations ?? [];
  if (ex.length === 0) return html``;
  return html`<h4>Expectations</h4>
    <ul class="expectations">
      ${ex.map(
        (e) =>
          html`<li class="${e.met ? "met" : "unmet"}">
            <span class="mark">${e.met ? "✔" : "✘"}</span>
            ${e.description}${e.detail ? html` <span class="detail">— ${e.detail}</span>` : ""}
          </li>`,
      )}
    </ul>`;
}

const labelText = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");

const ALERT_COLUMNS: readonly Column[] = [
  "alert",
  "source",
  "expected",
  { num: "detect s" },
  { num: "notify s" },
  { num: "resolve s" },
  "judged",
];

/**
 * The drill's alert rows; a source that could not run here (Grafana without its image) is said once,
 * with its reason and how many assertions it covers, not once per row.
 */
function alertsTable(all: readonly AlertResult[] | undefined): SafeHtml {
  if (!all?.length) return html``;
  const skippedBySource = new Map<string, { reason: string; count: number }>();
  for (const a of all) {
    if (!a.skipped) continue;
    const s = skippedBySource.get(a.source) ?? { reason: a.skipped, count: 0 };
    s.count++;
    skippedBySource.set(a.source, s);
  }
  const alerts = all.filter((a) => !a.skipped);
  const notes = html`${[...skippedBySource].map(
    ([source, s]) =>
      html`<p class="reason">${source}: ${s.count} alert assertion(s) skipped — ${s.reason}</p>`,
  )}`;
  if (alerts.length === 0)
    return html`<h4>Alerts</h4>
      ${notes}`;
  return html`<h4>Alerts</h4>
    ${notes}
    ${dataTable(
      "alerts",
      ALERT_COLUMNS,
      alerts.map(
        (a) =>
          html`<tr class="${a.skipped ? "skipped" : a.met ? "met" : "unmet"}">
            <td>${a.alert} <small>${labelText(a.labels)}</small></td>
            <td>${a.source}</td>
            <td>${a.expect}</td>
            <td class="num">${fmt(a.detectSeconds)}</td>
            <td class="num">${fmt(a.notifySeconds)}</td>
            <td class="num">${fmt(a.resolveSeconds)}</td>
            <td>
              ${a.skipped ? `skipped: ${a.skipped}` : a.met ? "met" : "NOT met"}${a.detail ? html` <span class="detail">— ${a.detail}</span>` : ""}
            </td>
          </tr>`,
      ),
    )}`;
}

function reanalysisTable(rows: Reanalysis[], interrupted: boolean): SafeHtml {
  const v = (x: unknown) =>
    x === undefined ? "–" : x === true ? "valid" : x === false ? "invalid" : String(x);
  // An interrupted drill saved no verdicts to compare with: the re-run is all there is, and it must
  // not read as the drill's verdict.
  return html`<h4>Analysis re-run on the ${interrupted ? "partial history" : "saved artifacts"}</h4>
    ${
      interrupted
        ? html`<p class="note interrupted-note">
            The drill was interrupted: its own verdict does not exist (it never got to its checks, so nothing
            was saved to compare with). These checkers ran on history.jsonl up to the interruption; what they
            find is evidence, and <em>valid</em> here says only that nothing was found in that part.
          </p>`
        : ""
    }
    ${dataTable(
      "reanalysis",
      ["checker", "saved", "re-run", "findings now", "note"],
      rows.map(
        (r) =>
          html`<tr class="${r.disagrees ? "disagrees" : ""}">
            <td>${r.checker}</td>
            <td>${interrupted ? "none: interrupted" : v(r.saved)}</td>
            <td>${r.rerun ? v(r.rerun.valid) : "not re-run"}</td>
            <td class="num">${r.rerun ? r.rerun.findings.length : "–"}</td>
            <td>
              ${r.disagrees ? html`<strong>differs from what the drill saved</strong> (same checker, same saved input: the artifacts or the checker changed since the run). ` : ""}${r.why ?? ""}
            </td>
          </tr>`,
      ),
    )}`;
}

function artifactLinks(d: DrillArtifacts): SafeHtml {
  return html`<h4>Raw artifacts</h4>
    <ul class="artifacts">
      ${d.artifacts.map(
        (a) =>
          html`<li>
            <a href="${a.href}">${a.href.slice(d.dir.length + 1)}</a>
            <small>${fmt(a.bytes / 1024)} KiB</small>
          </li>`,
      )}
    </ul>`;
}

/** One drill in one profile: what it expects, whether it did, its timeline, findings, logs and files. */
export function drillSection(d: DrillArtifacts, reanalysis: Reanalysis[]): SafeHtml {
  const r = d.result;
  // The title and what the profile expected, as the drill ran (results before they were saved have neither).
  const expects = r.expects;
  const id = anchor(r.drill, r.profile);
  const interrupted = r.verdict === "interrupted";
  // Its examples are marked on the timeline too, where each became visible.
  const consistency = drillConsistency(d, reanalysis);
  return html`<section
    class="drill verdict-${r.verdict}"
    id="${id}"
    data-drill="${r.drill}"
    data-profile="${r.profile}"
  >
    <h3>
      ${r.title ?? r.drill} <small>${r.drill} · ${r.profile}</small>
      <span class="badge ${r.verdict}">${r.verdict}</span>
    </h3>
    ${r.verdict === "skipped" ? html`<p class="reason">Skipped: ${r.reason ?? "no reason given"}</p>` : ""}${
      interrupted
        ? html`<p class="reason interrupted">
            Interrupted, no verdict: ${r.reason ?? "no reason given"}. What follows is what the drill recorded
            until then; run it again for a verdict.
          </p>`
        : ""
    }${expects ? html`<p class="expects"><strong>${r.profile} expects:</strong> ${expects}</p>` : ""}${expectations(d)}${
      d.history
        ? html`<h4>Timeline</h4>
            ${
              interrupted
                ? html`<p class="note">
                    The history ends at ${fmt(historySpan(d.history))} s, where the run was interrupted (the
                    dashed line); a fault never healed is shaded to that end.
                  </p>`
                : ""
            }${timelineSvg(d.history, `timeline-${id}`, {
              interrupted,
              anomalies: consistency?.examples,
            })}${interrupted ? partialHistory(d.history) : ""}`
        : html`<p class="note">No history.jsonl: nothing to draw.</p>`
    }${alertsTable(r.alerts)}${consistencySection(id, consistency)}
    <h4>Findings</h4>
    ${findingsSection(d)}${logExcerpts(d)}${
      d.history ? reanalysisTable(reanalysis, interrupted) : ""
    }${d.problems.length ? html`<p class="note">Could not read: ${d.problems.join("; ")}</p>` : ""}${artifactLinks(d)}
  </section>`;
}
