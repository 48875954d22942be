import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXPLORE_FILE, type ExploreReport } from "../store/explore-file.ts";
import { writeDrillResult } from "../store/drill-files.ts";
import { exploreMarkdown, exploreSection, withExploreSection } from "./explore-section.ts";
import { timelineAxis } from "./explore-timeline.ts";
import { anchor } from "./html/html.ts";
import { writeReport } from "./write-report.ts";

const HOSTILE = `<script>alert("x")</script>`;

const split = { kind: "split-replication", target: null, startSeconds: 0, durationSeconds: 10 };
const crash = { kind: "crash-server", target: "node1", startSeconds: 4, durationSeconds: 10 };
const kill = { kind: "kill-service", target: "node2-db", startSeconds: 30, durationSeconds: 20 };
const shortCrash = { ...crash, durationSeconds: 5 };

/** explore.json as `firedrill explore --seed 42` recorded it: schedule 2 failed and was shrunk. */
function recorded(): ExploreReport {
  return {
    runId: "fd-explore-1",
    startedAt: "2026-11-25T12:00:00.000Z",
    finishedAt: "2026-11-25T12:40:00.000Z",
    complete: true,
    runSeed: 42,
    profile: "hardened",
    budgetMinutes: 30,
    budgetSpent: true,
    maxShrinkRuns: 20,
    planned: 3,
    schedules: [
      {
        number: 1,
        seed: 11,
        faults: [{ kind: "partition", target: "control1|node2", startSeconds: 2, durationSeconds: 5 }],
        verdict: "pass",
        findings: [],
        drill: "explore-11-aaaaaaaa",
        file: "schedule-11.json",
      },
      {
        number: 2,
        seed: 22,
        faults: [split, crash, kill],
        verdict: "fail",
        findings: [
          `durability: 3 acknowledged write(s) lost ${HOSTILE}`,
          "expected: no acknowledged write lost — 3 lost",
        ],
        drill: "explore-22-00000000",
        file: "schedule-22.json",
        minimal: {
          seed: 22,
          faults: [shortCrash, kill],
          drill: "explore-22-00000004",
          file: "minimal-22.json",
          runs: 6,
          stopped: "the budget was spent",
          tried: [
            {
              step: "input",
              faults: [split, crash, kill],
              fails: true,
              verdict: "fail",
              drill: "explore-22-00000000",
            },
            {
              step: "drop-faults",
              faults: [crash, kill],
              fails: true,
              verdict: "fail",
              drill: "explore-22-00000001",
            },
            {
              step: "drop-faults",
              faults: [kill],
              fails: false,
              verdict: "pass",
              drill: "explore-22-00000002",
            },
            {
              step: "drop-faults",
              faults: [crash],
              fails: false,
              verdict: "pass",
              drill: "explore-22-00000003",
            },
            {
              step: "shorten",
              faults: [shortCrash, kill],
              fails: true,
              verdict: "fail",
              drill: "explore-22-00000004",
            },
            {
              step: "shorten",
              faults: [{ ...crash, durationSeconds: 2 }, kill],
              fails: false,
              verdict: "skipped",
              reason: `no netadmin image ${HOSTILE}`,
              drill: "explore-22-00000005",
            },
            {
              step: "shorten",
              faults: [{ ...crash, durationSeconds: 3 }, kill],
              fails: false,
              verdict: "not-run",
              reason: "the budget was spent",
            },
          ],
        },
      },
      {
        number: 3,
        seed: 33,
        faults: [
          { kind: "kill-service", target: `node1-app${HOSTILE}`, startSeconds: 1, durationSeconds: 2 },
        ],
        verdict: "not-run",
        reason: "the explorer stops at the first failing schedule",
        findings: [],
      },
    ],
  };
}

/** The section with whitespace around tags dropped (the templates are formatted for reading). */
const squeeze = (text: string) => text.replace(/\s+/g, " ").replace(/> /g, ">").replace(/ </g, "<");

/** One timeline table of the section: `original` or `minimal`. */
function timeline(text: string, which: string): string {
  const from = text.indexOf(`<table class="schedule-timeline" data-schedule="${which}">`);
  expect(from).toBeGreaterThanOrEqual(0);
  return text.slice(from, text.indexOf("</table>", from));
}

/** Each fault row of a timeline: its name and its bar's style. */
function bars(table: string): [string, string][] {
  return [
    ...table.matchAll(
      /<th scope="row">([^<]*)<\/th><td><div class="st-track"><span class="st-bar" style="([^"]*)"/g,
    ),
  ].map((m) => [m[1]!, m[2]!]);
}

describe("the report's Exploration section", () => {
  const text = squeeze(exploreSection(recorded()).value);

  it("says where the schedules came from and how they fared, one row per schedule", () => {
    expect(text).toContain('<section id="explore"><h2>Exploration</h2>');
    expect(text).toContain(
      "Explored --seed 42 on hardened: 3 schedule(s), 1 passed, 1 failed, 1 not run. The budget of 30 min was spent before the exploration was done.",
    );
    const rows = [...text.matchAll(/<tr class="explore-([a-z-]+)" data-schedule="(\d+)">/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(rows).toEqual([
      ["pass", "1"],
      ["fail", "2"],
      ["not-run", "3"],
    ]);
    expect(text).toContain("split replication at 0 s for 10 s<br />crash node1 at 4 s for 10 s<br />");
    expect(text).toContain('<span class="badge not-run">not run</span>');
    // The unmet expectation comes first among the findings.
    expect(text).toMatch(
      /<ul class="findings"><li>expected: no acknowledged write lost — 3 lost<\/li><li>durability/,
    );
    // Each schedule that ran links its drill's own section, anchored by drill id and profile.
    expect(text).toContain(`<a href="#${anchor("explore-11-aaaaaaaa", "hardened")}">explore-11-aaaaaaaa</a>`);
    expect(text).toContain('<a href="#explore-22-00000000-hardened">explore-22-00000000</a>');
  });

  it("a mutant and an unfinished run are said too", () => {
    const r = {
      ...recorded(),
      mutant: "mariadb-same-auto-increment-offset",
      complete: false,
      budgetSpent: false,
    };
    r.schedules = r.schedules.slice(0, 2);
    expect(squeeze(exploreSection(r).value)).toContain(
      "Explored --seed 42 on hardened, mutant mariadb-same-auto-increment-offset planted: 3 schedule(s), 1 passed, 1 failed, 0 not run. The run stopped after 2 of 3 schedules.",
    );
    expect(exploreMarkdown({ ...r, runSeed: undefined, replay: "found/x.json" })).toContain(
      "Explored --replay found/x.json on hardened, mutant mariadb-same-auto-increment-offset planted",
    );
  });

  it("draws the original and the minimal schedule on one axis, each bar from its start to its heal", () => {
    const original = timeline(text, "original");
    const minimal = timeline(text, "minimal");
    // The axis ends at the last heal, 50 s: a fault at 4 s for 10 s starts at 8 % and is 20 % long.
    expect(bars(original)).toEqual([
      ["split replication", "left: 0%; width: 20%"],
      ["crash node1", "left: 8%; width: 20%"],
      ["kill node2-db", "left: 60%; width: 40%"],
    ]);
    expect(bars(minimal)).toEqual([
      ["crash node1", "left: 8%; width: 10%"],
      ["kill node2-db", "left: 60%; width: 40%"],
    ]);
    for (const t of [original, minimal]) {
      const ticks = [...t.matchAll(/<span class="st-tick" style="left: ([\d.]+)%">(\d+)<\/span>/g)];
      expect(ticks.map((m) => [m[1], m[2]])).toEqual([
        ["0", "0"],
        ["20", "10"],
        ["40", "20"],
        ["60", "30"],
        ["80", "40"],
        ["100", "50"],
      ]);
    }
    // The times in words beside each bar: readable printed without the bars' colours.
    expect(minimal).toContain('<td class="st-when">at 4 s for 5 s</td>');
    expect(original).toContain('ran as<a href="#explore-22-00000000-hardened">');
    expect(minimal).toContain('last seen failing in<a href="#explore-22-00000004-hardened">');
    expect(text).toContain("Shrunk in 6 lab run(s); stopped: the budget was spent.");
    expect(text).toContain('<a href="minimal-22.json">minimal-22.json</a>');
    expect(text).toContain("<code>firedrill explore --profile hardened --replay</code>");
  });

  it("lists the shrink candidates in order, each with its result and a link to its drill", () => {
    const table = text.slice(text.indexOf('<table class="explore-tried">'));
    const rows = [...table.matchAll(/<tr data-step="([a-z-]+)" data-fails="(true|false)">(.*?)<\/tr>/g)];
    const tried = recorded().schedules[1]!.minimal!.tried;
    expect(rows.map((m) => [m[1], m[2]])).toEqual(tried.map((t) => [t.step, String(t.fails)]));
    rows.forEach((m, i) => {
      const t = tried[i]!;
      if (t.drill) expect(m[3]).toContain(`<a href="#${anchor(t.drill, "hardened")}">${t.drill}</a>`);
      else expect(m[3]).toMatch(/<td>–<\/td>$/);
    });
    expect(rows[0]![3]).toContain('<span class="badge fail">fails</span><small>not run again</small>');
    expect(rows[1]![3]).toContain("<td>crash node1 at 4 s for 10 s; kill node2-db at 30 s for 20 s</td>");
    expect(rows[1]![3]).toContain('<span class="badge fail">fails</span><small>kept</small>');
    expect(rows[2]![3]).toContain('<span class="badge pass">passes</span>');
    expect(rows[5]![3]).toContain('<span class="badge skipped">skipped</span>');
    expect(rows[6]![3]).toContain(
      '<span class="badge not-run">not run</span><br /><span class="reason">the budget was spent',
    );
  });

  it("escapes what it quotes: a planted <script> in a fault target, a finding or a reason stays text", () => {
    expect(text).not.toContain("<script");
    expect(text).toContain(
      "durability: 3 acknowledged write(s) lost &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
    );
    expect(text).toContain("kill node1-app&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; at 1 s for 2 s");
    expect(text).toContain("no netadmin image &lt;script&gt;");
    // A file that is not a plain path in the run folder is named, never linked.
    const r = recorded();
    r.schedules[1]!.minimal!.file = 'javascript:alert("x")';
    const other = exploreSection(r).value;
    expect(other).not.toContain('href="javascript');
    expect(other).toContain("<code>javascript:alert(&quot;x&quot;)</code>");
  });

  it("goes before the drills, with a link in the navigation", () => {
    const page = "<header><nav><a>x</a></nav></header><main><h2>Verdicts</h2><h2>Drills</h2></main>";
    const out = withExploreSection(page, recorded());
    expect(out.indexOf('<section id="explore">')).toBeLessThan(out.indexOf("<h2>Drills</h2>"));
    expect(out.indexOf('<section id="explore">')).toBeGreaterThan(out.indexOf("<h2>Verdicts</h2>"));
    expect(out).toContain('<nav><a href="#explore">exploration</a>');
    expect(withExploreSection(page, undefined)).toBe(page);
  });

  it("has a markdown twin: the schedules' table, the timelines in words, the candidates' table", () => {
    const md = exploreMarkdown(recorded());
    expect(md.startsWith("## Exploration\n")).toBe(true);
    expect(md).toContain("| # | seed | faults | verdict | drill |");
    expect(md).toContain(
      "| 1 | 11 | partition control1 \\| node2 at 2 s for 5 s | ✅ pass | explore-11-aaaaaaaa |",
    );
    expect(md).toContain(
      "| 2 | 22 | split replication at 0 s for 10 s; crash node1 at 4 s for 10 s; kill node2-db at 30 s for 20 s | ❌ fail | explore-22-00000000 |",
    );
    expect(md).toContain(
      '| 3 | 33 | kill node1-app&lt;script&gt;alert("x")&lt;/script&gt; at 1 s for 2 s | ⏹️ not run (the explorer stops at the first failing schedule) | – |',
    );
    expect(md).toContain(
      [
        "Original (explore-22-00000000):",
        "",
        "- split replication at 0 s for 10 s",
        "- crash node1 at 4 s for 10 s",
        "- kill node2-db at 30 s for 20 s",
        "",
        "Minimal (explore-22-00000004):",
        "",
        "- crash node1 at 4 s for 5 s",
        "- kill node2-db at 30 s for 20 s",
      ].join("\n"),
    );
    expect(md).toContain("| # | step | faults | result | drill |");
    expect(md).toContain(
      "| 1 | the failing schedule | split replication at 0 s for 10 s; crash node1 at 4 s for 10 s; kill node2-db at 30 s for 20 s | ❌ fails (not run again) | explore-22-00000000 |",
    );
    expect(md).toContain(
      "| 3 | drop faults | kill node2-db at 30 s for 20 s | ✅ passes | explore-22-00000002 |",
    );
    expect(md).toContain(
      "| 7 | shorten a fault | crash node1 at 4 s for 3 s; kill node2-db at 30 s for 20 s | ⏹️ not run (the budget was spent) | – |",
    );
    expect(md).toContain("`firedrill explore --profile hardened --replay` and that file.");
    expect(md).not.toContain("<script");
  });

  it("the axis: the last heal rounded up to a tick of 1, 2 or 5 times a power of ten", () => {
    const at = (start: number, duration: number) => [
      { kind: "crash-server", target: "node1", startSeconds: start, durationSeconds: duration },
    ];
    expect(timelineAxis([at(20, 7)])).toEqual({ end: 30, ticks: [0, 5, 10, 15, 20, 25, 30] });
    expect(timelineAxis([at(0, 3)])).toEqual({ end: 3, ticks: [0, 1, 2, 3] });
    expect(timelineAxis([[], []])).toEqual({ end: 1, ticks: [0, 1] });
    expect(timelineAxis([at(100, 20), at(0, 5)])).toEqual({ end: 120, ticks: [0, 20, 40, 60, 80, 100, 120] });
  });
});

describe("writeReport on an explore run", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("puts the section first in index.html and summary.md from explore.json, linked to the drills", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fd-explore-report-"));
    for (const [drill, verdict] of [
      ["explore-11-aaaaaaaa", "pass"],
      ["explore-22-00000000", "fail"],
    ] as const)
      writeDrillResult(dir, { drill, profile: "hardened", verdict, figures: {}, findings: [] });
    writeFileSync(path.join(dir, EXPLORE_FILE), JSON.stringify(recorded()));
    writeReport(dir);
    const page = readFileSync(path.join(dir, "index.html"), "utf8");
    expect(page).toContain('<section id="explore">');
    expect(page.indexOf('<section id="explore">')).toBeLessThan(page.indexOf("<h2>Drills</h2>"));
    expect(page).toMatch(/<nav><a href="#explore">exploration<\/a>/);
    // The link and the drill's own section meet.
    expect(page).toContain('href="#explore-22-00000000-hardened"');
    expect(page).toContain('id="explore-22-00000000-hardened"');
    expect(page).not.toContain("<script");
    const md = readFileSync(path.join(dir, "summary.md"), "utf8");
    expect(md.startsWith("## Exploration")).toBe(true);
    expect(md).toContain("## firedrill run");
  });

  it("a malformed explore.json is one line naming the file (writeReportOrWarn makes it a warning)", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fd-explore-report-"));
    writeDrillResult(dir, {
      drill: "explore-11-aaaaaaaa",
      profile: "hardened",
      verdict: "pass",
      figures: {},
      findings: [],
    });
    writeFileSync(path.join(dir, EXPLORE_FILE), '{"runId": "x", "schedules": [');
    expect(() => writeReport(dir)).toThrow(
      new RegExp(`^${path.join(dir, EXPLORE_FILE).replace(/[.]/g, "\\.")}: not JSON: [^\\n]*$`),
    );
  });
});
