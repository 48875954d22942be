import { formatScore, type MutantResult, type MutantsReport } from "../store/mutants-file.ts";
import { withLeadingSection } from "./lead-section.ts";
import { row } from "./markdown-cell.ts";
import { dataTable, type Column } from "./html/data-table.ts";
import { anchor, html, type SafeHtml } from "./html/html.ts";

/** How each status reads, and which badge colour it wears: a kill is the harness doing its job. */
const STATUS = {
  killed: { text: "killed", badge: "pass" },
  survived: { text: "survived", badge: "fail" },
  skipped: { text: "skipped", badge: "skipped" },
} as const;

function statusText(m: MutantResult): string {
  return m.status === "killed" && m.unexpectedFinding ? "killed, unexpected finding" : STATUS[m.status].text;
}

/** What the row says beside the status: the killing finding, why it was skipped, or what a survivor awaits. */
function note(m: MutantResult): string {
  if (m.killedBy) return m.killedBy;
  if (m.reason) return m.reason;
  if (m.status === "survived")
    return `every drill passed${m.awaits ? `; awaits ${m.awaits}` : ""}; expected ${m.drills.map((d) => `${d.drill}: ${d.expected}`).join("; ")}`;
  return "";
}

const COLUMNS: readonly Column[] = [
  "mutant",
  "profile",
  "layer",
  "status",
  "drill",
  "finding that killed it / why not",
  { num: "seconds" },
];

function headline(r: MutantsReport): string {
  const incomplete = r.complete ? "" : ` The run stopped after ${r.mutants.length} of ${r.selected} mutants.`;
  return `Mutation score ${formatScore(r)}${r.skipped ? `, ${r.skipped} skipped (never counted as killed)` : ""}.${incomplete}`;
}

/**
 * The report's "Mutants" section: the score, then one row per mutant with its status and the finding
 * that killed it; each drill links to its own section below (`<drill>/<profile>+<mutant>`).
 */
export function mutantsSection(r: MutantsReport): SafeHtml {
  return html`<section id="mutants">
    <h2>Mutants</h2>
    <p>
      ${headline(r)} Each mutant is a realistic misconfiguration planted in a profile before its lab came up;
      it is killed when its drill fails (flagged when the drill failed without the expected finding), survives
      when its drill passes. In this run a failed drill is the harness doing its job.
    </p>
    ${dataTable(
      "mutants",
      COLUMNS,
      r.mutants.map(
        (m) =>
          html`<tr class="mutant-${m.status}" data-mutant="${m.id}">
            <td><strong>${m.id}</strong><br /><small>${m.title}</small></td>
            <td>${m.profile}</td>
            <td>${m.layer}</td>
            <td><span class="badge ${STATUS[m.status].badge}">${statusText(m)}</span></td>
            <td>
              ${m.drills.map(
                (d) =>
                  html`<a href="#${anchor(d.drill, `${m.profile}+${m.id}`)}">${d.drill}</a>
                    <small>${d.verdict}</small><br />`,
              )}
            </td>
            <td><span class="reason">${note(m)}</span><br /><small>${m.why}</small></td>
            <td class="num">${m.seconds}</td>
          </tr>`,
      ),
    )}
  </section>`;
}

/** The "Mutants" part of summary.md (and of the nightly job summary). */
export function mutantsMarkdown(r: MutantsReport): string {
  const icon = { killed: "✅", survived: "❌", skipped: "⏭️" } as const;
  return [
    "## Mutants",
    "",
    headline(r),
    "",
    "| mutant | profile | layer | status | drill | finding that killed it / why not | seconds |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...r.mutants.map((m) =>
      row([
        m.id,
        m.profile,
        m.layer,
        `${icon[m.status]} ${statusText(m)}`,
        m.drills.map((d) => `${d.drill} (${d.verdict})`).join(", "),
        note(m),
        String(m.seconds),
      ]),
    ),
    "",
  ].join("\n");
}

/** The section placed into a rendered page, ahead of the drills (lead-section.ts). */
export function withMutantsSection(page: string, r: MutantsReport | undefined): string {
  return r ? withLeadingSection(page, mutantsSection(r).value, "mutants", "mutants") : page;
}
