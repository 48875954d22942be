import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli/main.ts";
import { captureOutput } from "../testing/capture-output.ts";
import { INTERRUPTED_EVENTS, writeInterruptedDrill, writeInterruptedRun } from "./fixtures/planted-run.ts";
import { NotARunFolderError, readRunFolder } from "../store/run-folder.ts";
import { writeDrillResult } from "../store/drill-files.ts";
import { writeSummary } from "../store/summary.ts";
import type { DrillResult } from "../store/drill-result.ts";
import { writeReport } from "./write-report.ts";

const REASON = `the run ended before the drill finished: history.jsonl has ${INTERRUPTED_EVENTS} events, the last at 7.95 s; no result.json`;

function tempRun(name = "fd-interrupted"): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), "fd-report-")), name);
}

afterEach(() => vi.restoreAllMocks());

describe("a run with one finished drill and one interrupted drill (history.jsonl only, torn last line)", () => {
  const runDir = tempRun();
  writeInterruptedRun(runDir);
  const { html: file, markdown } = writeReport(runDir, () => new Date("2026-11-25T12:00:00Z"));
  const summary = writeSummary(runDir);
  const page = readFileSync(file, "utf8").replace(/\s+/g, " ").replace(/> /g, ">").replace(/ </g, "<");
  const section = page.slice(
    page.indexOf('id="split-replication-hardened"'),
    page.indexOf("</section>", page.indexOf('id="split-replication-hardened"')),
  );

  it("is read as interrupted, drill and profile from the folder names, the torn line skipped", () => {
    const run = readRunFolder(runDir);
    expect(run.drills.map((d) => `${d.dir} ${d.result.verdict}`)).toEqual([
      "crash-node1/seed pass",
      "split-replication/hardened interrupted",
    ]);
    const d = run.drills[1]!;
    expect(d.result).toEqual({
      drill: "split-replication",
      profile: "hardened",
      verdict: "interrupted",
      reason: REASON,
      figures: {},
      findings: [],
    });
    expect(d.history).toHaveLength(INTERRUPTED_EVENTS);
    expect(d.problems).toEqual([]);
  });

  it("summary.json lists it as interrupted, beside the drill that passed", () => {
    expect(JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8"))).toEqual(summary);
    expect(summary.map((r) => [r.drill, r.profile, r.verdict, r.reason])).toEqual([
      ["crash-node1", "seed", "pass", undefined],
      ["split-replication", "hardened", "interrupted", REASON],
    ]);
  });

  it("the verdict table says interrupted with the reason, and not pass", () => {
    const table = page.slice(page.indexOf('<table id="verdicts"'), page.indexOf("</table>"));
    const row =
      /<tr class="verdict-interrupted" data-drill="split-replication" data-profile="hardened">(.*?)<\/tr>/.exec(
        table,
      )?.[1];
    expect(row).toBeDefined();
    expect(row).toContain('<span class="badge interrupted">interrupted</span>');
    expect(row).toContain(REASON);
    expect(row).not.toMatch(/\bpass/);
    expect(table).toMatch(/data-drill="crash-node1" data-profile="seed".*?badge pass/);
    expect(page).toContain("1 passed, 0 failed, 0 skipped, 1 interrupted");
    // Its own style: the badge and the section have a rule of their own.
    expect(page).toContain(".badge.interrupted {");
    expect(page).toContain("section.verdict-interrupted {");
  });

  it("its section shows the partial history: timeline and charts, the unhealed fault, the operations so far", () => {
    expect(page).toContain('<section class="drill verdict-interrupted" id="split-replication-hardened"');
    // The unhealed fault is shaded to the end of the history, not to its effect.
    expect(section).toContain("<title>split replication: 3 s → 7.95 s</title>");
    expect(section).toContain(`Interrupted, no verdict: ${REASON}.`);
    expect(section).not.toMatch(/\bpass(ed)?\b/i);
    expect(section).toContain('data-group="fault"');
    expect(section).toContain('data-group="replication"');
    for (const chart of ["throughput", "error rate", "latency"])
      expect(section).toContain(`data-chart="${chart}"`);
    expect(section).toContain('class="interrupted-at"');
    expect(section).toMatch(
      /<li class="unhealed"><strong>split replication<\/strong>: injected at 3 s, effect seen at 4 s \(node2 IO Connecting\);<strong>never healed<\/strong>: still in effect when the history ends at 7\.95 s<\/li>/,
    );
    expect(section).toMatch(
      /<tr data-op="all"><td>all<\/td><td class="num">160<\/td><td class="num">157<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">3<\/td><\/tr>/,
    );
    expect(section).toContain("None: the drill was interrupted before its checks");
  });

  it("re-runs what the partial history allows and says the drill's own verdict does not exist", () => {
    expect(section).toContain("Analysis re-run on the partial history");
    expect(section).toContain("its own verdict does not exist");
    // Availability and stale reads ran on history.jsonl; nothing was saved to compare with.
    expect(section).toMatch(/<td>availability<\/td><td>none: interrupted<\/td><td>valid<\/td>/);
    expect(section).toMatch(/<td>stale-reads<\/td><td>none: interrupted<\/td><td>valid<\/td>/);
    expect(section).toMatch(
      /<td>durability<\/td><td>none: interrupted<\/td><td>not re-run<\/td>.*?interrupted before it read the databases/,
    );
    // The unhealed fault's effect was seen before the run died: that much the history does show.
    expect(section).toMatch(/<td>fault-effect<\/td><td>none: interrupted<\/td><td>valid<\/td>/);
  });

  it("a fault cut off before its effect showed is not called effect-less", () => {
    const cut = tempRun();
    writeInterruptedDrill(cut, "split-replication", "hardened", { effectSeen: false });
    const html = readFileSync(writeReport(cut).html, "utf8")
      .replace(/\s+/g, " ")
      .replace(/> /g, ">")
      .replace(/ </g, "<");
    expect(html).toMatch(
      /<td>fault-effect<\/td><td>none: interrupted<\/td><td>not re-run<\/td><td class="num">–<\/td><td>the run ended while split replication was still on, before its effect was seen: the partial history cannot say it had none<\/td>/,
    );
    expect(html).not.toContain("<td>invalid</td>");
  });

  it("summary.md lists it as interrupted with the reason, never as passed", () => {
    const md = readFileSync(markdown, "utf8");
    expect(md).toContain("1 passed, 0 failed, 0 skipped, 1 interrupted.");
    const row = md.split("\n").find((l) => l.startsWith("| split-replication | hardened |"));
    expect(row).toBe(
      // Key figures, anomalies and models: none, nothing was judged.
      `| split-replication | hardened | ⚠️ interrupted: ${REASON} | – | – | – | – | – | – | – | – | – |`,
    );
    expect(md).toContain("### Interrupted: no verdict");
    expect(md).toContain(`- **split-replication (hardened)**: ${REASON}`);
  });
});

describe("which folders are interrupted drills", () => {
  const result = (verdict: DrillResult["verdict"], reason?: string): DrillResult => ({
    drill: "crash-node1",
    profile: "seed",
    verdict,
    ...(reason ? { reason } : {}),
    figures: {},
    findings: [],
  });

  it("a result.json that says interrupted is interrupted (its reason kept, how far the history got added)", () => {
    const runDir = tempRun();
    writeDrillResult(runDir, result("interrupted", "SIGTERM while the fault was on"));
    const [d] = readRunFolder(runDir).drills;
    expect([d!.result.verdict, d!.result.reason]).toEqual([
      "interrupted",
      "SIGTERM while the fault was on: there is no history.jsonl; result.json says interrupted",
    ]);
  });

  it("a torn result.json beside a history is interrupted, saying so", () => {
    const runDir = tempRun();
    writeInterruptedDrill(runDir, "crash-node1", "seed");
    writeFileSync(path.join(runDir, "crash-node1", "seed", "result.json"), '{"drill":"crash-node1","verd');
    const [d] = readRunFolder(runDir).drills;
    expect(d!.result.verdict).toBe("interrupted");
    expect(d!.result.reason).toMatch(/; result\.json is torn \(the run died while writing it\)$/);
    expect(d!.problems[0]).toMatch(/^result\.json: /);
    expect(writeSummary(runDir).map((r) => r.verdict)).toEqual(["interrupted"]);
  });

  it("a folder with neither result.json nor history.jsonl is still not a drill", () => {
    const runDir = tempRun();
    mkdirSync(path.join(runDir, "crash-node1", "seed", "logs"), { recursive: true });
    writeFileSync(path.join(runDir, "crash-node1", "seed", "environment.json"), "{}");
    expect(() => readRunFolder(runDir)).toThrow(NotARunFolderError);
    expect(writeSummary(runDir)).toEqual([]);
  });
});

describe("firedrill report on a run whose only drill was interrupted", () => {
  it("writes the report, exits 0 and says the drill was interrupted", async () => {
    const runDir = tempRun();
    writeInterruptedDrill(runDir);
    const { out } = captureOutput();
    expect(await main(["report", runDir])).toBe(0);
    expect(out.join("")).toMatch(
      /^report: .*index\.html \(\d+ KiB in \d+ ms\); summary: .*summary\.md\n1 drill was interrupted \(the run ended before it finished\), no verdict: split-replication \(hardened\)\n$/,
    );
    expect(existsSync(path.join(runDir, "index.html"))).toBe(true);
    const summary = JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8")) as DrillResult[];
    expect(summary.map((r) => r.verdict)).toEqual(["interrupted"]);
  });

  it("--json lists the interrupted drills", async () => {
    const runDir = tempRun();
    writeInterruptedDrill(runDir);
    writeInterruptedDrill(runDir, "crash-node1", "seed");
    const { out } = captureOutput();
    expect(await main(["report", runDir, "--json"])).toBe(0);
    expect(JSON.parse(out.join(""))).toMatchObject({
      interrupted: ["crash-node1 (seed)", "split-replication (hardened)"],
    });
  });
});
