import { operations, type HistoryEvent, type OpKind } from "../../history/history.ts";
import { html, type SafeHtml } from "./html.ts";
import { fmt } from "../../util/format.ts";
import { historySpan } from "./series.ts";

interface FaultSoFar {
  fault: string;
  injected: number;
  effect?: { at: number; detail?: string };
  healed?: number;
}

/** Each fault the history saw injected, with its effect and heal when they came (seconds). */
export function faultsSoFar(history: readonly HistoryEvent[]): FaultSoFar[] {
  const out: FaultSoFar[] = [];
  for (const e of history) {
    if (e.type !== "fault") continue;
    if (e.phase === "inject") {
      out.push({ fault: e.fault, injected: e.time / 1000 });
      continue;
    }
    const open = out.findLast((f) => f.fault === e.fault && f.healed === undefined);
    if (!open) continue;
    if (e.phase === "heal") open.healed = e.time / 1000;
    else open.effect ??= { at: e.time / 1000, detail: e.detail };
  }
  return out;
}

interface OpsSoFar {
  op: OpKind | "all";
  invoked: number;
  ok: number;
  failed: number;
  unknown: number;
  /** Invoked, and no answer before the history ended. */
  open: number;
}

/** Operations by kind (and all together): how each had ended when the history stopped. */
export function operationsSoFar(history: readonly HistoryEvent[]): OpsSoFar[] {
  const rows = new Map<OpsSoFar["op"], OpsSoFar>();
  const row = (op: OpsSoFar["op"]) => {
    let r = rows.get(op);
    if (!r) rows.set(op, (r = { op, invoked: 0, ok: 0, failed: 0, unknown: 0, open: 0 }));
    return r;
  };
  row("all");
  for (const { invoke, completion } of operations(history)) {
    for (const r of [row(invoke.op), row("all")]) {
      r.invoked++;
      if (!completion) r.open++;
      else if (completion.type === "ok") r.ok++;
      else if (completion.type === "fail") r.failed++;
      else r.unknown++;
    }
  }
  // "all" last: it sums the rows above it.
  const all = rows.get("all")!;
  rows.delete("all");
  return [...[...rows.values()].sort((a, b) => a.op.localeCompare(b.op)), all];
}

/**
 * What an interrupted drill's history allows instead of a verdict: its faults (an unhealed one was
 * still in effect when the run ended, and may still be on a lab nobody removed) and how far its
 * operations got. Nothing here is judged.
 */
export function partialHistory(history: readonly HistoryEvent[]): SafeHtml {
  const end = historySpan(history);
  const faults = faultsSoFar(history);
  const ops = operationsSoFar(history);
  const drops = history.filter((e) => e.type === "drop").length;
  return html`<h4>Faults so far</h4>
    ${
      faults.length
        ? html`<ul class="faults-so-far">
            ${faults.map(
              (f) =>
                html`<li class="${f.healed === undefined ? "unhealed" : "healed"}">
                  <strong>${f.fault}</strong>: injected at ${fmt(f.injected)}
                  s${
                    f.effect
                      ? html`, effect seen at ${fmt(f.effect.at)}
                        s${f.effect.detail ? ` (${f.effect.detail})` : ""}`
                      : ""
                  }${
                    f.healed === undefined
                      ? html`; <strong>never healed</strong>: still in effect when the history ends at
                          ${fmt(end)} s`
                      : html`, healed at ${fmt(f.healed)} s`
                  }
                </li>`,
            )}
          </ul>`
        : html`<p class="note">No fault was injected before the run ended.</p>`
    }
    <h4>Operations so far</h4>
    <table class="ops-so-far">
      <thead>
        <tr>
          <th>operation</th>
          <th class="num">invoked</th>
          <th class="num">ok</th>
          <th class="num">failed</th>
          <th class="num">outcome unknown</th>
          <th class="num">no answer when the run ended</th>
        </tr>
      </thead>
      <tbody>
        ${ops.map(
          (r) =>
            html`<tr data-op="${r.op}">
              <td>${r.op}</td>
              <td class="num">${r.invoked}</td>
              <td class="num">${r.ok}</td>
              <td class="num">${r.failed}</td>
              <td class="num">${r.unknown}</td>
              <td class="num">${r.open}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      drops ? html`<p class="note">${drops} arrival(s) dropped at the generator's concurrency cap.</p>` : ""
    }`;
}
