import type { Finding } from "../../store/check-result.ts";
import type { HistoryEvent } from "../../history/history.ts";
import { isCompletion } from "../../history/history.ts";
import type { DrillArtifacts } from "../../store/run-folder.ts";
import { dataTable } from "./data-table.ts";
import { anchor, html, type SafeHtml } from "./html.ts";
import { fmt } from "../../util/format.ts";

const WRITE_KINDS = new Set([
  "lost-write",
  "wrong-value",
  "phantom-write",
  "duplicated-write",
  "failed-write-applied",
  "stale-read",
  "wrong-read",
]);
const REPLICATION_KINDS = new Set(["replication-conflict", "sql-thread-stopped", "io-thread-stopped"]);
const MAX_ROWS = 200;

type Evidence = Record<string, unknown>;
const ev = (f: Finding): Evidence =>
  f.evidence && typeof f.evidence === "object" ? (f.evidence as Evidence) : {};

/** When each list / item id was acknowledged, and which write carried each value, from the history. */
function ackIndex(history: readonly HistoryEvent[] | undefined) {
  const byId = new Map<string, number>();
  const byValue = new Map<string, { time: number; node?: string }>();
  for (const e of history ?? []) {
    if (!isCompletion(e)) continue;
    const v = e.value as { id?: number; title?: string; text?: string };
    if (e.type === "ok" && v.id !== undefined && e.op !== "read-item")
      byId.set(`${e.op === "create-list" ? "list" : "item"}:${v.id}`, e.time);
    const written = v.title ?? v.text;
    if (written !== undefined && e.op !== "read-item") byValue.set(written, { time: e.time, node: e.node });
  }
  return { byId, byValue };
}

const secs = (ms: unknown) => (typeof ms === "number" ? `${(ms / 1000).toFixed(3)} s` : "–");

/** Lost, wrong, phantom, duplicated and stale writes, one row each with its id, node and times. */
function writeRows(d: DrillArtifacts, findings: Finding[]): SafeHtml {
  const idx = ackIndex(d.history);
  const rows = findings.slice(0, MAX_ROWS).map((f) => {
    const e = ev(f);
    const isList = "title" in e;
    const id = e.id ?? e.itemId;
    const value = (e.title ?? e.text ?? e.written) as string | undefined;
    const acked =
      f.kind === "stale-read"
        ? secs(e.ackedAt)
        : id !== undefined
          ? secs(idx.byId.get(`${isList ? "list" : "item"}:${String(id)}`))
          : value !== undefined
            ? secs(idx.byValue.get(value)?.time)
            : "–";
    return html`<tr class="write-finding" data-kind="${f.kind}">
      <td>${f.kind}</td>
      <td>${String(e.node ?? "–")}</td>
      <td class="num">${id === undefined ? "–" : String(id)}</td>
      <td>${value ?? "–"}</td>
      <td class="num">${acked}</td>
      <td class="num">${f.kind === "stale-read" ? secs(e.readAt) : "–"}</td>
      <td>${f.message}</td>
    </tr>`;
  });
  const columns = ["kind", "node", "id", "value", "acknowledged at", "read at", "finding"];
  return html`${dataTable("evidence writes", columns, rows)}
  ${
    findings.length > MAX_ROWS
      ? html`<p class="note">… ${findings.length - MAX_ROWS} more in findings.json</p>`
      : ""
  }`;
}

/** The replication errors: from the checker's findings and every distinct error the drill sampled. */
function replicationErrors(d: DrillArtifacts, findings: Finding[]): SafeHtml {
  const seen = new Map<string, { node: string; errno: number; error: string; first: number }>();
  for (const e of d.history ?? []) {
    if (e.type !== "replication-state" || !e.lastErrno) continue;
    const key = `${e.node}:${e.lastErrno}:${e.lastError ?? ""}`;
    if (!seen.has(key))
      seen.set(key, { node: e.node, errno: e.lastErrno, error: e.lastError ?? "", first: e.time });
  }
  if (findings.length === 0 && seen.size === 0) return html``;
  return html`<h4>Replication errors</h4>
    <ul class="replication-errors">
      ${findings.map(
        (f) =>
          html`<li>
            <strong>${f.kind}</strong> (after the heal):
            <pre class="statement">${f.message}</pre>
          </li>`,
      )}${[...seen.values()].map(
        (s) =>
          html`<li>
            <strong>${s.node}</strong> error ${s.errno}, first seen at ${fmt(s.first / 1000)} s:
            <pre class="statement">${s.error}</pre>
          </li>`,
      )}
    </ul>`;
}

/** Every checker's findings, with the writes and replication errors laid out as evidence. */
export function findingsSection(d: DrillArtifacts): SafeHtml {
  const verdicts = d.outcome?.verdicts ?? [];
  const all = verdicts.flatMap((v) => v.findings.map((f) => ({ checker: v.checker, f })));
  // The consistency checker's anomalies have their own block (the Consistency heading), with their
  // explanations: here they are one line pointing there, not up to 20 per kind again, and never
  // rows of the writes table (its `stale-read` is a kind of the stale-reads checker's name too).
  const anomalies = all.filter((x) => x.checker === "consistency");
  const rest = all.filter((x) => x.checker !== "consistency");
  const writes = rest.filter((x) => WRITE_KINDS.has(x.f.kind)).map((x) => x.f);
  const repl = rest.filter((x) => REPLICATION_KINDS.has(x.f.kind)).map((x) => x.f);
  const other = rest.filter((x) => !WRITE_KINDS.has(x.f.kind) && !REPLICATION_KINDS.has(x.f.kind));
  const crashed = d.result.findings.filter((f) => f.startsWith("drill crashed"));
  if (!d.outcome && d.result.verdict === "interrupted")
    return html`<p class="note">None: the drill was interrupted before its checks (no findings.json).</p>`;
  if (!d.outcome && crashed.length === 0)
    return html`<p class="note">
      No findings.json: the drill did not get to its
      checks${d.result.reason ? html` (${d.result.reason})` : ""}.
    </p>`;
  return html`<div class="findings">
    ${crashed.map((c) => html`<pre class="crash">${c}</pre>`)}${
      all.length === 0 && d.outcome ? html`<p class="ok">Every checker found nothing.</p>` : ""
    }${
      writes.length
        ? html`<h4>Writes</h4>
            ${writeRows(d, writes)}`
        : ""
    }${replicationErrors(d, repl)}${
      other.length || anomalies.length
        ? html`<h4>Other findings</h4>
            <ul>
              ${other.map((x) => html`<li><code>${x.checker}</code> ${x.f.kind}: ${x.f.message}</li>`)}${
                anomalies.length
                  ? html`<li>
                      <code>consistency</code> ${anomalies.length} anomaly example(s), explained under
                      <a href="#${anchor("consistency", d.result.drill, d.result.profile)}">Consistency</a>
                    </li>`
                  : ""
              }
            </ul>`
        : ""
    }
  </div>`;
}

/** Lines that say something happened (access-log lines mostly do not). */
const NOTABLE =
  /error|warn|fail|down\b|\bup\b|stop|start|refus|lost|abort|kill|timeout|retry|reconnect|slave|replica/i;
const ACCESS_LOG = /"(GET|POST|PUT|DELETE|HEAD) \/|\b(GET|POST) \/\S* HTTP\//;

/** At most LINES_PER_LOG lines, in order: the notable ones first, then the window's start and end; a number is a gap of that many lines. */
function excerpt<L extends { text: string }>(lines: L[]): (L | number)[] {
  if (lines.length <= LINES_PER_LOG) return lines;
  const notable = lines.filter((l) => NOTABLE.test(l.text) && !ACCESS_LOG.test(l.text));
  const keep = new Set(notable.slice(0, LINES_PER_LOG));
  for (let i = 0; keep.size < LINES_PER_LOG; i++)
    keep.add(i % 2 === 0 ? lines[i >> 1]! : lines[lines.length - 1 - (i >> 1)]!);
  const out: (L | number)[] = [];
  for (const l of lines) {
    const last = out.at(-1);
    if (keep.has(l)) out.push(l);
    else if (typeof last === "number") out[out.length - 1] = last + 1;
    else out.push(1);
  }
  return out;
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/;
const LINES_PER_LOG = 16;

/**
 * For each fault, what each container logged from 3 s before the inject to 5 s after the heal.
 * Needs the engine's timestamps on each log line (saved since the report exists; older logs say so).
 */
export function logExcerpts(d: DrillArtifacts): SafeHtml {
  const start = d.history?.find((e) => e.type === "start");
  const faults = (d.history ?? []).filter((e) => e.type === "fault");
  if (!start || faults.length === 0 || d.logs.length === 0) return html``;
  const t0 = Date.parse(start.wallClock);
  const windows: { fault: string; from: number; to: number }[] = [];
  for (const f of faults) {
    if (f.phase === "inject") windows.push({ fault: f.fault, from: f.time, to: Infinity });
    // An `effect` is seen while the fault is still on: only a heal ends its window.
    else if (f.phase === "heal") {
      const w = windows.find((x) => x.fault === f.fault && x.to === Infinity);
      if (w) w.to = f.time;
    }
  }
  const parsed = d.logs.map((l) => ({
    alias: l.alias,
    lines: l.text
      .split("\n")
      .map((line) => STAMP.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ t: Date.parse(m[1]!) - t0, text: m[2]! })),
  }));
  if (parsed.every((p) => p.lines.length === 0))
    return html`<p class="note">
      The container logs of this run carry no timestamps, so they cannot be lined up with the faults; they are
      linked below.
    </p>`;
  return html`${windows.map((w) => {
    const from = w.from - 3000;
    const to = (w.to === Infinity ? w.from + 30_000 : w.to) + 5000;
    const blocks = parsed
      .map((p) => ({ alias: p.alias, lines: p.lines.filter((l) => l.t >= from && l.t <= to) }))
      .filter((p) => p.lines.length > 0);
    return html`<details class="logs">
      <summary>
        Logs around <strong>${w.fault}</strong> (${fmt(from / 1000)} s to ${fmt(to / 1000)} s):
        ${blocks.length} container(s) logged
      </summary>
      ${blocks.map((b) => {
        const shown = excerpt(b.lines);
        return html`<h5>${b.alias}</h5>
          <pre class="log">
${shown.map((l) =>
              typeof l === "number"
                ? `   … ${l} line${l === 1 ? "" : "s"} …\n`
                : `${(l.t / 1000).toFixed(3).padStart(8)} s  ${l.text}\n`,
            )}</pre>`;
      })}
    </details>`;
  })}`;
}
