import type { ReportedFault } from "../store/explore-file.ts";
import { faultLabel, faultWords } from "./explore-words.ts";
import { html, type SafeHtml } from "./html/html.ts";

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
export function timeline(
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
