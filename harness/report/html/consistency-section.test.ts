import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ANOMALIES } from "../../checkers/consistency/anomalies.ts";
import { PlantedHistory } from "../../checkers/consistency/planted-history.ts";
import { checkConsistency, consistencySummary } from "../../checkers/kinds/consistency.ts";
import type { CheckResult } from "../../store/check-result.ts";
import type { DrillResult } from "../../store/drill-result.ts";
import type { DrillArtifacts } from "../../store/run-folder.ts";
import { crashAnomalies, plantedConsistency } from "../fixtures/planted-consistency.ts";
import {
  CRASH_ANOMALY_COUNTS,
  LOST_ITEM_ID,
  PLANTED_SCRIPT,
  writePlantedRun,
} from "../fixtures/planted-run.ts";
import { writeReport } from "../write-report.ts";
import { consistencySection, cycleText, drillConsistency } from "./consistency-section.ts";
import { escapeHtml } from "./html.ts";

// The templates are formatted for reading (prettier): compare with whitespace around tags dropped.
const squeeze = (s: string) => s.replace(/\s+/g, " ").replace(/> /g, ">").replace(/ </g, "<");

/** A drill's artifacts in memory: its result, and its saved consistency result if any. */
function drill(result: Partial<DrillResult>, saved?: CheckResult): DrillArtifacts {
  return {
    result: { drill: "d", profile: "p", verdict: "pass", figures: {}, findings: [], ...result },
    dir: "d/p",
    history: undefined,
    outcome: saved ? { verdicts: [saved], figures: {}, expectations: [] } : undefined,
    environment: undefined,
    observed: undefined,
    samples: undefined,
    logs: [],
    artifacts: [],
    problems: [],
  };
}

describe("the report of a run whose drills the consistency checker judged", () => {
  const runDir = path.join(mkdtempSync(path.join(os.tmpdir(), "fd-report-")), "fd-planted");
  writePlantedRun(runDir);
  const { html: file, markdown } = writeReport(runDir, () => new Date("2026-11-25T12:00:00Z"));
  const page = squeeze(readFileSync(file, "utf8"));
  const section = (id: string) =>
    page.slice(page.indexOf(`id="${id}"`), page.indexOf("</section>", page.indexOf(`id="${id}"`)));
  const hardened = section("crash-node1-hardened");
  const block = hardened.slice(hardened.indexOf('<h4 id="consistency-crash-node1-hardened">'));

  it("says which models the history is consistent with, and which not", () => {
    expect(block).toMatch(/^<h4 id="consistency-crash-node1-hardened">Consistency<\/h4>/);
    expect(block).toContain(
      '<p class="consistency-models"><strong>Models:</strong>consistent with causal; not with read-uncommitted and sequential.</p>',
    );
  });

  it("has one row per anomaly kind found: its count, what it means, the models it rules out", () => {
    const table = block.slice(block.indexOf('<table id="anomalies-crash-node1-hardened" class="anomalies">'));
    expect(table).toContain('<th scope="col">kind</th><th scope="col" class="num">count</th>');
    const rows = [...table.matchAll(/<tr class="anomaly" data-kind="([^"]+)">(.*?)<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual(["lost-append", "stale-read", "G-single"]);
    for (const [, kind, cells] of rows) {
      const k = kind as keyof typeof CRASH_ANOMALY_COUNTS;
      expect(cells).toContain(
        `<th scope="row"><a href="#anomaly-examples-crash-node1-hardened-${k}">${k}</a></th>`,
      );
      expect(cells).toContain(`<td class="num">${CRASH_ANOMALY_COUNTS[k]}</td>`);
      expect(cells).toContain(`<td>${escapeHtml(ANOMALIES[k].what)}</td>`);
    }
    expect(rows[2]![2]).toContain("<td>snapshot-isolation, repeatable-read</td>");
  });

  it("explains each example: its key, the operations with process, node and times, the cycle", () => {
    const examples = (kind: string) => {
      const at = block.indexOf(
        `<details class="anomaly-examples" id="anomaly-examples-crash-node1-hardened-${kind}"`,
      );
      return at < 0 ? "" : block.slice(at, block.indexOf("</details>", at));
    };
    const lost = examples("lost-append");
    expect(lost).toContain("<summary><strong>lost-append</strong>: 1 example</summary>");
    expect(lost).toContain(
      `<code>list 1</code>, visible at 29.960 s: item ${LOST_ITEM_ID}, appended to list 1`,
    );
    // op, process, node, outcome, invoked, answered, what it did (the planted script stays text).
    expect(lost).toContain(
      `<td class="num">60</td><td class="num">28</td><td>node1</td><td>ok</td><td class="num">3.000</td><td class="num">3.008</td><td>append item ${LOST_ITEM_ID} &quot;crash-node1-fd-planted-item-60 ${escapeHtml(PLANTED_SCRIPT)}&quot; to list 1</td>`,
    );
    // Two of its three are kept as examples; one was never answered.
    const stale = examples("stale-read");
    expect(stale).toContain("<summary><strong>stale-read</strong>: 2 of 3 examples</summary>");
    expect(stale).toContain('<td>info</td><td class="num">5.200</td><td class="num">no answer</td>');
    const skew = examples("G-single");
    expect(skew).toContain("1 of 2 examples");
    expect(skew).toContain('<p class="cycle">Cycle: op 130 —wr(list 1)→ op 131 —rw(list 2)→ op 130</p>');
    expect(lost).not.toContain('class="cycle"');
    // The findings list points at the block instead of repeating the examples (nor are its stale reads
    // rows of the writes table, which has a kind of that name from the stale-reads checker).
    expect(hardened.match(/<tr class="write-finding"/g)).toHaveLength(1);
    expect(hardened).toContain(
      '<code>consistency</code>4 anomaly example(s), explained under<a href="#consistency-crash-node1-hardened">Consistency</a>',
    );
  });

  it("marks each example on the drill's timeline, one lane per kind, its tooltip naming kind and key", () => {
    const svg = hardened.slice(hardened.indexOf('<svg class="timeline"'), hardened.indexOf("</svg>"));
    const lanes = [...svg.matchAll(/<g class="lane" data-group="anomaly"\s*><text[^>]*>([^<]*)<title>/g)];
    expect(lanes.map((l) => l[1])).toEqual([
      "anomaly: G-single",
      "anomaly: lost-append",
      "anomaly: stale-read",
    ]);
    const marks = [...svg.matchAll(/<g class="anomaly-mark"\s*>.*?<title>(.*?)<\/title><\/g/g)].map(
      (m) => m[1],
    );
    expect(marks).toHaveLength(4);
    expect(marks).toContain(
      "G-single on list 1 at 6.9 s: a cycle with exactly one read-write anti-dependency (read skew): op 130 wr (list 1) → op 131 rw (list 2) → op 130",
    );
    expect(marks.filter((m) => m?.startsWith("stale-read on list 1 at 5."))).toHaveLength(2);
    // Events keep their diamonds: the anomaly marks are the only circles.
    expect(svg.match(/<circle/g)).toHaveLength(4);
  });

  it("says so in one line when there is no anomaly", () => {
    const seed = section("crash-node1-seed");
    expect(seed).toContain(
      '<h4 id="consistency-crash-node1-seed">Consistency</h4><p class="consistency-models"><strong>Models:</strong>consistent with every model checked (strict serializable included).</p><p class="ok consistency-none">No anomaly.</p>',
    );
    expect(seed).not.toContain('class="anomalies"');
    expect(seed).not.toContain('data-group="anomaly"');
    // A drill the checker did not judge has no block.
    expect(section("load-haproxy-seed")).not.toContain("Consistency");
  });

  it("names the strongest models and counts the anomalies in the verdict table and the markdown summary", () => {
    const table = page.slice(page.indexOf('<table id="verdicts"'), page.indexOf("</table>"));
    expect(table).toContain('<th scope="col" class="num">anomalies</th><th scope="col">models</th>');
    expect(table).toMatch(
      /data-profile="hardened">.*?<td class="num">10<\/td><td class="num">6<\/td><td class="models" title="consistent with causal; not with read-uncommitted and sequential">causal<\/td>/,
    );
    expect(table).toMatch(
      /data-profile="seed">.*?<td class="num">0<\/td><td class="models" [^>]*>strict-serializable<\/td>/,
    );
    expect(table).toMatch(/data-drill="load-haproxy".*?<td class="num">–<\/td><td class="models" >–<\/td>/);
    const md = readFileSync(markdown, "utf8");
    expect(md).toContain("| resolve (s) | anomalies | models |");
    expect(md).toContain(
      "| crash-node1 | hardened | ❌ fail | 1.50 | 30 | 1 | 2.10 | 5.50 | 7 | 10 | 6 | causal |",
    );
    expect(md).toContain(
      "| crash-node1 | seed | ✅ pass | 3.20 | 64 | 0 | 61.50 | – | – | – | 0 | strict-serializable |",
    );
  });
});

describe("the consistency block", () => {
  it("counts the operations checked when the drill saved the checker's result", () => {
    const { result, summary } = plantedConsistency(
      [],
      {},
      {
        operations: 1234,
        transactions: 10,
        lists: 3,
        items: 400,
        dependencyEdges: 2000,
      },
    );
    const c = drillConsistency(drill({ consistency: summary }, result), []);
    const out = squeeze(consistencySection("d-p", c).value);
    expect(out).toContain('<p class="ok consistency-none">No anomaly in the 1234 operations checked.</p>');
    // From the saved result alone (a result.json written before the summary existed): the same.
    expect(squeeze(consistencySection("d-p", drillConsistency(drill({}, result), [])).value)).toBe(out);
  });

  it("falls back on the report's re-run when the drill saved no consistency result, and says so", () => {
    const { result } = plantedConsistency(crashAnomalies(7, "x"), { "stale-read": 2 });
    const rerun = [{ checker: "consistency", rerun: result, saved: undefined, disagrees: false }];
    const c = drillConsistency(drill({}), rerun);
    expect(c?.rerun).toBe(true);
    expect(c?.examples).toHaveLength(4);
    const out = squeeze(consistencySection("d-p", c).value);
    expect(out).toContain("the report's re-run on its saved history");
    expect(out).toContain('<tr class="anomaly" data-kind="G-single">');
    // Nothing saved, nothing re-run: no block.
    expect(drillConsistency(drill({}), [])).toBeUndefined();
    expect(consistencySection("d-p", undefined).value).toBe("");
  });

  it("draws the real checker's evidence: a write skew's cycle and a lost append", () => {
    // Each transaction reads the list the other appends to, and misses that append: write skew.
    const skew = (read: number, append: number, id: number) => ({
      sent: {
        steps: [
          { f: "r" as const, listId: read },
          { f: "append" as const, listId: append, text: `x${id}` },
        ],
      },
      answered: {
        steps: [
          { f: "r" as const, listId: read, items: [] },
          { f: "append" as const, listId: append, text: `x${id}`, id },
        ],
      },
    });
    const [a, b] = [skew(1, 2, 2), skew(2, 1, 1)];
    const h = new PlantedHistory()
      .begin(0, "txn", a.sent, 10)
      .begin(1, "txn", b.sent, 11)
      .answer(0, "txn", a.answered, 12)
      .answer(1, "txn", b.answered, 13)
      .readList(2, 1, [1])
      .readList(2, 2, [2])
      .add(3, 3, "x5", 5)
      .readList(4, 3, [], { final: true });
    const result = checkConsistency(h.events);
    const summary = consistencySummary(result)!;
    expect(Object.keys(summary.anomalies)).toEqual(expect.arrayContaining(["lost-append", "G2-item"]));
    const c = drillConsistency(drill({ consistency: summary }, result), []);
    // Every finding's evidence has the shape the report draws: none is dropped.
    expect(c?.examples).toHaveLength(result.findings.length);
    const out = squeeze(consistencySection("d-p", c).value);
    expect(out).toContain(`<strong>Models:</strong>${summary.models}.`);
    const kinds = [...out.matchAll(/<tr class="anomaly" data-kind="([^"]+)">/g)].map((m) => m[1]);
    expect(kinds).toEqual(Object.keys(summary.anomalies));
    expect(out).toMatch(
      /<p class="cycle">Cycle: op \d+ —rw\(list [12]\)→ op \d+ —(ww|wr|rw)\(list [12]\)→ op \d+/,
    );
  });

  it("skips evidence of another shape, and counts a kind it cannot explain without explaining it", () => {
    const { result, summary } = plantedConsistency([]);
    const odd: CheckResult = {
      ...result,
      findings: [{ kind: "lost-append", message: "from another version", evidence: { kind: "lost-append" } }],
    };
    const c = drillConsistency(
      drill({ consistency: { ...summary, anomalies: { "lost-append": 1, "brand-new": 2 } } }, odd),
      [],
    );
    expect(c?.examples).toEqual([]);
    const out = squeeze(consistencySection("d-p", c).value);
    expect(out).toContain(
      '<tr class="anomaly" data-kind="brand-new"><th scope="row">brand-new</th><td class="num">2</td><td>–</td><td>–</td></tr>',
    );
    expect(out).not.toContain("<details");
  });

  it("says when the checker could not tell", () => {
    const unknown: CheckResult = {
      checker: "consistency",
      valid: "unknown",
      findings: [{ kind: "checker-error", message: "the checker threw: out of memory" }],
      figures: {},
    };
    expect(squeeze(consistencySection("d-p", drillConsistency(drill({}, unknown), [])).value)).toContain(
      "could not tell which models the history is consistent with: the checker threw: out of memory.",
    );
  });

  it("writes a cycle as a chain, starting again where an edge does not follow on", () => {
    expect(
      cycleText([
        { from: 1, to: 2, type: "ww", key: "list 3" },
        { from: 2, to: 1, type: "rw", key: "item 4" },
      ]),
    ).toBe("op 1 —ww(list 3)→ op 2 —rw(item 4)→ op 1");
    expect(
      cycleText([
        { from: 1, to: 2, type: "wr", key: "list 3" },
        { from: 5, to: 1, type: "rw", key: "list 3" },
      ]),
    ).toBe("op 1 —wr(list 3)→ op 2; op 5 —rw(list 3)→ op 1");
  });
});
