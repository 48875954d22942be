import { findKind } from "../faults/fault-kinds.ts";
import { withLeadingSection } from "./lead-section.ts";
import type {
  ExploredMinimal,
  ExploredSchedule,
  ExploreReport,
  ReportedFault,
  TriedShrink,
} from "../store/explore-file.ts";
import { anchor, html, type SafeHtml } from "./html/html.ts";

type Verdict = ExploredSchedule["verdict"];

/** How each verdict reads, and which badge colour it wears. */
const VERDICT: Record<Verdict, { text: string; badge: string; icon: string }> = {
  pass: { text: "pass", badge: "pass", icon: "✅" },
  fail: { text: "fail", badge: "fail", icon: "❌" },
  skipped: { text: "skipped", badge: "skipped", icon: "⏭️" },
  interrupted: { text: "interrupted", badge: "interrupted", icon: "⚠️" },
  "not-run": { text: "not run", badge: "not-run", icon: "⏹️" },
};

/** Which step of the shrinker proposed a candidate, in words. */
const STEP: Record<TriedShrink["step"], string> = {
  input: "the failing schedule",
  "drop-faults": "drop faults",
  shorten: "shorten a fault",
  "move-later": "move a fault later",
};

/** "crash node1": its kind's words, or the kind and target as recorded for a kind this firedrill lacks. */
function faultLabel(f: ReportedFault): string {
  const kind = findKind(f.kind);
  if (kind) {
    try {
      return kind.name(f.target, f.params);
    } catch {
      // A kind whose target or parameters changed since: said as recorded, below.
    }
  }
  return `${f.kind}${f.target === null ? "" : ` ${f.target}`}`;
}

/** "crash node1 at 4 s for 10 s", as schedule.ts `describeFault` words it. */
const faultWords = (f: ReportedFault) => `${faultLabel(f)} at ${f.startSeconds} s for ${f.durationSeconds} s`;

const scheduleWords = (faults: readonly ReportedFault[]) =>
  faults.length ? faults.map(faultWords).join("; ") : "no fault";

function source(r: ExploreReport): string {
  if (r.runSeed !== undefined) return `--seed ${r.runSeed}`;
  if (r.replay !== undefined) return `--replay ${r.replay}`;
  return "schedules";
}

function headline(r: ExploreReport): string {
  const count = (v: Verdict) => r.schedules.filter((s) => s.verdict === v).length;
  const extra = (["skipped", "interrupted"] as const)
    .filter((v) => count(v) > 0)
    .map((v) => `, ${count(v)} ${VERDICT[v].text}`)
    .join("");
  const mutant = r.mutant ? `, mutant ${r.mutant} planted` : "";
  const stoppedAt = r.complete
    ? ""
    : ` The run stopped after ${r.schedules.length} of ${r.planned} schedules.`;
  const budget = r.budgetSpent
    ? ` The budget of ${r.budgetMinutes} min was spent before the exploration was done.`
    : "";
  return (
    `Explored ${source(r)} on ${r.profile}${mutant}: ${r.planned} schedule(s), ${count("pass")} passed, ` +
    `${count("fail")} failed, ${count("not-run")} not run${extra}.${stoppedAt}${budget}`
  );
}

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

/** The shared axis of a schedule's timelines: whole seconds, rounded up to a tick, about six ticks. */
export function timelineAxis(schedules: readonly (readonly ReportedFault[])[]): {
  end: number;
  ticks: number[];
} {
  const last = Math.max(1, ...schedules.flat().map((f) => f.startSeconds + f.durationSeconds));
  const raw = last / 6;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow);
  const end = Math.ceil(last / step) * step;
  const ticks = Array.from({ length: Math.round(end / step) + 1 }, (_, i) => i * step);
  return { end, ticks };
}

/** A share of the axis as CSS wants it: "8", "16.67". */
const pct = (seconds: number, end: number) => String(Number(((seconds / end) * 100).toFixed(2)));

/**
 * One schedule as a timeline: a row per fault, its bar from its start to its heal on the axis the
 * original and the minimal schedule share. Plain HTML and CSS (inline widths in %), no script; each
 * row also says the times in words, so a print without the bars' colours still reads.
 */
function timeline(
  which: "original" | "minimal",
  caption: SafeHtml,
  faults: readonly ReportedFault[],
  axis: { end: number; ticks: number[] },
): SafeHtml {
  return html`<table class="schedule-timeline" data-schedule="${which}">
    <caption>
      ${caption}
    </caption>
    <colgroup>
      <col class="st-name" />
      <col />
      <col class="st-when" />
    </colgroup>
    <tbody>
      ${
        faults.length === 0
          ? html`<tr>
              <th scope="row">no fault</th>
              <td><div class="st-track"></div></td>
              <td class="st-when">the stack failed without any fault</td>
            </tr>`
          : faults.map(
              (f) =>
                html`<tr data-fault="${faultLabel(f)}">
                  <th scope="row">${faultLabel(f)}</th>
                  <td>
                    <div class="st-track">
                      <span
                        class="st-bar"
                        style="left: ${pct(f.startSeconds, axis.end)}%; width: ${pct(f.durationSeconds, axis.end)}%"
                        title="${faultWords(f)}"
                      ></span>
                    </div>
                  </td>
                  <td class="st-when">at ${f.startSeconds} s for ${f.durationSeconds} s</td>
                </tr>`,
            )
      }
    </tbody>
    <tfoot>
      <tr>
        <th scope="row">seconds</th>
        <td>
          <div class="st-track st-axis">
            ${axis.ticks.map((t) => html`<span class="st-tick" style="left: ${pct(t, axis.end)}%">${t}</span>`)}
          </div>
        </td>
        <td></td>
      </tr>
    </tfoot>
  </table>`;
}

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

/** How to run the minimal schedule again. */
function replayCommand(r: ExploreReport): string {
  return `firedrill explore --profile ${r.profile}${r.mutant ? ` --mutant ${r.mutant}` : ""} --replay`;
}

function shrinkNote(m: ExploredMinimal): string {
  return `Shrunk in ${m.runs} lab run(s)${m.stopped ? `; stopped: ${m.stopped}` : ""}.`;
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
    <table class="explore-tried">
      <thead>
        <tr>
          <th class="num">#</th>
          <th>step</th>
          <th>faults</th>
          <th>result</th>
          <th>drill</th>
        </tr>
      </thead>
      <tbody>
        ${m.tried.map(
          (t, i) =>
            html`<tr data-step="${t.step}" data-fails="${String(t.fails)}">
              <td class="num">${i + 1}</td>
              <td>${STEP[t.step]}</td>
              <td>${scheduleWords(t.faults)}</td>
              <td>${candidateResult(t)}</td>
              <td>${drillLink(r, t.drill)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
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
    <table class="explore">
      <thead>
        <tr>
          <th class="num">#</th>
          <th class="num">seed</th>
          <th>faults</th>
          <th>verdict</th>
          <th>drill</th>
        </tr>
      </thead>
      <tbody>
        ${r.schedules.map(
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
        )}
      </tbody>
    </table>
    ${r.schedules.map((s) => (s.minimal ? shrunk(r, s, s.minimal) : ""))}
  </section>`;
}

/** A markdown cell: one line, pipes escaped, no raw HTML (findings quote what the servers said). */
function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const row = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;

function shrunkMarkdown(r: ExploreReport, s: ExploredSchedule, m: ExploredMinimal): string[] {
  const faultList = (faults: readonly ReportedFault[]) =>
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
