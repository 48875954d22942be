import { withLeadingSection } from "./lead-section.ts";
import type { ExploredMinimal, ExploredSchedule, ExploreReport, TriedShrink } from "../store/explore-file.ts";
import {
  faultWords,
  headline,
  replayCommand,
  scheduleWords,
  shrinkNote,
  STEP,
  VERDICT,
  type Verdict,
} from "./explore-words.ts";
import { timeline, timelineAxis } from "./explore-timeline.ts";
import { dataTable } from "./html/data-table.ts";
import { cell, row } from "./markdown-cell.ts";
import { anchor, html, type SafeHtml } from "./html/html.ts";

/** The unmet expectations first (each sums up a checker), then the checkers' own findings, capped. */
function firstFindings(findings: readonly string[], max = 3): string[] {
  const ordered = [
    ...findings.filter((f) => f.startsWith("expected:")),
    ...findings.filter((f) => !f.startsWith("expected:")),
  ].map((f) => (f.length > 300 ? `${f.slice(0, 300)}…` : f));
  if (ordered.length <= max) return ordered;
  return [...ordered.slice(0, max), `… and ${ordered.length - max} more in the drill's section`];
}

/** A link to a drill's own section below (anchored by its id and profile), or a dash. */
function drillLink(r: ExploreReport, drill: string | undefined): SafeHtml {
  return drill ? html`<a href="#${anchor(drill, r.profile)}">${drill}</a>` : html`–`;
}

/** A saved schedule's file, linked when it is a plain path inside the run folder, else only named. */
function fileLink(file: string): SafeHtml {
  return /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/.test(file) && !file.includes("..")
    ? html`<a href="${file}">${file}</a>`
    : html`<code>${file}</code>`;
}

const badge = (v: Verdict, text = VERDICT[v].text) =>
  html`<span class="badge ${VERDICT[v].badge}">${text}</span>`;

/** What a candidate's run said, as the shrinker read it. */
function candidateResult(t: TriedShrink): SafeHtml {
  const why = t.reason ? html`<br /><span class="reason">${t.reason}</span>` : "";
  if (t.step === "input") return html`${badge("fail", "fails")} <small>not run again</small>${why}`;
  if (t.fails) return html`${badge("fail", "fails")} <small>kept</small>${why}`;
  if (t.verdict === "pass") return html`${badge("pass", "passes")}${why}`;
  return html`${badge(t.verdict)}${why}`;
}

function candidateText(t: TriedShrink): string {
  const why = t.reason ? ` (${t.reason})` : "";
  if (t.step === "input") return `❌ fails (not run again)${why}`;
  if (t.fails) return `❌ fails, kept${why}`;
  if (t.verdict === "pass") return `✅ passes${why}`;
  return `${VERDICT[t.verdict].icon} ${VERDICT[t.verdict].text}${why}`;
}

/** A failing schedule beside its minimal one, on one axis, then every candidate of the shrinking. */
function shrunk(r: ExploreReport, s: ExploredSchedule, m: ExploredMinimal): SafeHtml {
  const axis = timelineAxis([s.faults, m.faults]);
  return html`<section class="explore-shrink" id="${anchor("explore-shrink", String(s.number))}">
    <h3>Schedule ${s.number} (seed ${s.seed}): original and minimal</h3>
    <p>
      ${shrinkNote(m)} The minimal schedule is saved as ${fileLink(m.file)}: replay it with
      <code>${replayCommand(r)}</code> and that file.
    </p>
    ${timeline(
      "original",
      html`Original: ${s.faults.length} fault(s), ran as ${drillLink(r, s.drill)}`,
      s.faults,
      axis,
    )}
    ${timeline(
      "minimal",
      html`Minimal: ${m.faults.length} fault(s), last seen failing in ${drillLink(r, m.drill)}`,
      m.faults,
      axis,
    )}
    <h4>Shrink candidates, in the order tried</h4>
    ${dataTable(
      "explore-tried",
      [{ num: "#" }, "step", "faults", "result", "drill"],
      m.tried.map(
        (t, i) =>
          html`<tr data-step="${t.step}" data-fails="${String(t.fails)}">
            <td class="num">${i + 1}</td>
            <td>${STEP[t.step]}</td>
            <td>${scheduleWords(t.faults)}</td>
            <td>${candidateResult(t)}</td>
            <td>${drillLink(r, t.drill)}</td>
          </tr>`,
      ),
    )}
  </section>`;
}

/**
 * The report's "Exploration" section: where the schedules came from and how they fared, one row per
 * schedule linking its drill's own section below; then the failing schedule and its minimal one
 * drawn on one axis, and the shrinker's candidates in order, each linking its drill.
 */
export function exploreSection(r: ExploreReport): SafeHtml {
  return html`<section id="explore">
    <h2>Exploration</h2>
    <p>
      ${headline(r)} Each schedule ran as a drill on a fresh lab, judged by every invariant of the profile;
      the first failing one was shrunk (fewer faults, then shorter ones, then overlapping ones moved apart),
      each candidate a drill of its own, keeping the smallest that still failed.
    </p>
    ${dataTable(
      "explore",
      [{ num: "#" }, { num: "seed" }, "faults", "verdict", "drill"],
      r.schedules.map(
        (s) =>
          html`<tr class="explore-${s.verdict}" data-schedule="${s.number}">
            <td class="num">${s.number}</td>
            <td class="num">${s.seed}</td>
            <td>${s.faults.length ? s.faults.map((f) => html`${faultWords(f)}<br />`) : "no fault"}</td>
            <td>
              ${badge(s.verdict)}${s.reason ? html`<br /><span class="reason">${s.reason}</span>` : ""}
              ${
                s.verdict === "fail"
                  ? html`<ul class="findings">
                      ${firstFindings(s.findings).map((f) => html`<li>${f}</li>`)}
                    </ul>`
                  : ""
              }
            </td>
            <td>${drillLink(r, s.drill)}</td>
          </tr>`,
      ),
    )}
    ${r.schedules.map((s) => (s.minimal ? shrunk(r, s, s.minimal) : ""))}
  </section>`;
}

function shrunkMarkdown(r: ExploreReport, s: ExploredSchedule, m: ExploredMinimal): string[] {
  const faultList = (faults: ExploredSchedule["faults"]) =>
    faults.length ? faults.map((f) => `- ${cell(faultWords(f))}`) : ["- no fault"];
  return [
    `### Schedule ${s.number} (seed ${s.seed}): original and minimal`,
    "",
    cell(`${shrinkNote(m)} The minimal schedule is saved as ${m.file}: replay it with`) +
      ` \`${replayCommand(r).replace(/[`\r\n]/g, "")}\` and that file.`,
    "",
    `Original (${cell(s.drill ?? "not run")}):`,
    "",
    ...faultList(s.faults),
    "",
    `Minimal (${cell(m.drill ?? "not run")}):`,
    "",
    ...faultList(m.faults),
    "",
    "| # | step | faults | result | drill |",
    "| --- | --- | --- | --- | --- |",
    ...m.tried.map((t, i) =>
      row([String(i + 1), STEP[t.step], scheduleWords(t.faults), candidateText(t), t.drill ?? "–"]),
    ),
    "",
  ];
}

/** The "Exploration" part of summary.md (and of the nightly job summary). */
export function exploreMarkdown(r: ExploreReport): string {
  return [
    "## Exploration",
    "",
    cell(headline(r)),
    "",
    "| # | seed | faults | verdict | drill |",
    "| --- | --- | --- | --- | --- |",
    ...r.schedules.map((s) =>
      row([
        String(s.number),
        String(s.seed),
        scheduleWords(s.faults),
        `${VERDICT[s.verdict].icon} ${VERDICT[s.verdict].text}${s.reason ? ` (${s.reason})` : ""}`,
        s.drill ?? "–",
      ]),
    ),
    "",
    ...r.schedules.flatMap((s) => (s.minimal ? shrunkMarkdown(r, s, s.minimal) : [])),
  ].join("\n");
}

/** The section placed into a rendered page, ahead of the drills (lead-section.ts). */
export function withExploreSection(page: string, r: ExploreReport | undefined): string {
  return r ? withLeadingSection(page, exploreSection(r).value, "explore", "exploration") : page;
}
