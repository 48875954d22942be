import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../cli/main.ts";
import type { HistoryEvent } from "../history/history.ts";
import { eventRenderers } from "./html/event-kinds.ts";
import { escapeHtml, html } from "./html/html.ts";
import { faultWindows, lanes } from "./html/series.ts";
import { environmentJson } from "../store/drill-files.ts";
import { LOST_ITEM_ID, PLANTED_SCRIPT, writePlantedRun } from "./fixtures/planted-run.ts";
import { NotARunFolderError, readRunFolder } from "../store/run-folder.ts";
import { writeReport } from "./write-report.ts";
import { captureOutput } from "../testing/capture-output.ts";

function plantedRun(): string {
  const runDir = path.join(mkdtempSync(path.join(os.tmpdir(), "fd-report-")), "fd-planted");
  writePlantedRun(runDir);
  return runDir;
}

// Compile-time proof that the renderer table is exhaustive: a new event kind without a renderer
// does not type-check (`pnpm typecheck` fails if this line stops being an error).
type WithNewKind = HistoryEvent | { type: "brand-new-kind"; time: number };
// @ts-expect-error the table has no renderer for "brand-new-kind"
const _exhaustive: { [K in WithNewKind["type"]]: unknown } = eventRenderers;
void _exhaustive;

afterEach(() => vi.restoreAllMocks());

describe("HTML report", () => {
  const runDir = plantedRun();
  const { html: file, markdown, bytes } = writeReport(runDir, () => new Date("2026-11-25T12:00:00Z"));
  const raw = readFileSync(file, "utf8");
  // The templates are formatted for reading (prettier): compare with whitespace around tags dropped.
  const page = raw.replace(/\s+/g, " ").replace(/> /g, ">").replace(/ </g, "<");
  const section = (id: string) =>
    page.slice(page.indexOf(`id="${id}"`), page.indexOf("</section>", page.indexOf(`id="${id}"`)));

  it("has the verdict table: a failing drill, a passing one, a skipped one with its reason", () => {
    const table = page.slice(page.indexOf('<table id="verdicts"'), page.indexOf("</table>"));
    expect(table).toMatch(/data-drill="crash-node1" data-profile="hardened".*?badge fail/);
    expect(table).toMatch(/data-drill="crash-node1" data-profile="seed".*?badge pass/);
    expect(table).toMatch(/data-drill="load-haproxy".*?badge skipped.*?k6 not found on PATH/);
    // Key figures of the failing drill: failover, requests failed, writes lost, converged, detect/notify/resolve.
    expect(table).toMatch(
      /<td class="num">1\.50<\/td><td class="num">30<\/td><td class="num">1<\/td><td class="num">2\.10<\/td><td class="num">5\.50<\/td><td class="num">7<\/td><td class="num">10<\/td>/,
    );
  });

  it("lists the lost write with its id, node and acknowledgement time", () => {
    const row = /<tr class="write-finding" data-kind="lost-write">(.*?)<\/tr>/.exec(page)?.[1] ?? "";
    expect(row).toContain(`<td class="num">${LOST_ITEM_ID}</td>`);
    expect(row).toContain("<td>node2</td>");
    expect(row).toContain("3.011 s");
  });

  it("shows a replication error with its failing statement", () => {
    expect(section("split-brain-conflict-hardened")).toContain(
      "Query: &#39;INSERT INTO todo_list (title) VALUES (&#39;split-brain-fd-planted&#39;)&#39;",
    );
  });

  it("draws one timeline per drill with fault, HAProxy, replication, alert and notification lanes", () => {
    const timeline = section("crash-node1-hardened");
    for (const group of ["fault", "haproxy", "replication", "alert", "notification"])
      expect(timeline).toContain(`data-group="${group}"`);
    for (const chart of ["throughput", "error rate", "latency"])
      expect(timeline).toContain(`data-chart="${chart}"`);
  });

  it("lines container logs up with the fault", () => {
    expect(section("crash-node1-hardened")).toMatch(
      /Logs around<strong>crash node1<\/strong>[\s\S]*Server app\/node1 is DOWN/,
    );
  });

  it("says what was skipped and why, and the environment", () => {
    const env = page.slice(page.indexOf('id="environment"'));
    expect(env).toContain("load-haproxy (seed)</strong>: k6 not found on PATH");
    // One line per drill and source, not one per alert.
    expect(env).toContain(
      "crash-node1 (hardened): 1 grafana alert assertion(s)</strong>: no Grafana image on this machine",
    );
    expect(env).toContain("firedrill/mariadb:abc123");
    expect(env).toContain("0123456789abcdef");
    // A run with the seed profile points at the seed's fidelity table, counts or not.
    expect(env).toContain(
      "<dt>seed fidelity</dt><dd>cluster/config/seed/FIDELITY.md (the seed profile beside the original stack; this run recorded no counts)</dd>",
    );
  });

  it("gives the seed's fidelity counts as the seed's environment recorded them", () => {
    const dir = plantedRun();
    const hardened = environmentJson.read(path.join(dir, "crash-node1", "hardened"), []);
    expect(hardened).toBeDefined();
    const fidelity = "cluster/config/seed/FIDELITY.md: 3 of 5 settings differ from the original (planted)";
    environmentJson.write(path.join(dir, "crash-node1", "seed"), { ...hardened!, profile: "seed", fidelity });
    const env = readFileSync(writeReport(dir).html, "utf8").replace(/\s+/g, " ");
    expect(env.slice(env.indexOf('id="environment"'))).toMatch(
      /<dt>seed fidelity<\/dt>\s*<dd>cluster\/config\/seed\/FIDELITY\.md: 3 of 5 settings differ from the original \(planted\)<\/dd>/,
    );
  });

  it("re-runs the checkers on the saved artifacts: the lost write is found again", () => {
    expect(section("crash-node1-hardened")).toMatch(
      /<td>durability<\/td><td>invalid<\/td><td>invalid<\/td><td class="num">1<\/td>/,
    );
  });

  it("links the raw artifacts", () => {
    for (const f of [
      "history.jsonl",
      "findings.json",
      "logs/haproxy.log",
      "observed.json",
      "environment.json",
    ])
      expect(page).toContain(`href="crash-node1/hardened/${f}"`);
  });

  it("is self-contained and escapes everything it quotes (a planted <script> stays text)", () => {
    expect(page).not.toContain(PLANTED_SCRIPT);
    expect(page).toContain(escapeHtml(PLANTED_SCRIPT));
    expect(page).not.toMatch(/<script|\bsrc=|https?:\/\/|<link /i);
    expect(bytes).toBe(Buffer.byteLength(raw));
  });

  it("writes a markdown summary with verdicts, key figures and the skip reason", () => {
    const md = readFileSync(markdown, "utf8");
    expect(md).toContain("| crash-node1 | hardened | ❌ fail | 1.50 | 30 | 1 | 2.10 | 5.50 | 7 | 10 |");
    expect(md).toContain("⏭️ skipped: k6 not found on PATH");
    expect(md).not.toContain("<script");
  });
});

describe("report building blocks", () => {
  it("html`` escapes what it interpolates, and only that", () => {
    const evil = `<img src=x onerror="alert('x')">&`;
    expect(html`<p title="${evil}">${evil}</p>`.value).toBe(
      `<p title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p>`,
    );
    expect(html`<b>${html`<i>${"<"}</i>`}</b>`.value).toBe("<b><i>&lt;</i></b>");
  });

  it("lanes: a state lasts until the next change; repeated samples of a state merge; heals draw nothing", () => {
    const h: HistoryEvent[] = [
      { type: "start", time: 0, wallClock: "2026-11-25T00:00:00Z", runId: "t" },
      { type: "server-state", server: "node1", state: "UP", time: 0 },
      { type: "fault", phase: "inject", fault: "crash node1", time: 1000 },
      { type: "server-state", server: "node1", state: "UP", time: 1500 },
      { type: "server-state", server: "node1", state: "DOWN", time: 2000 },
      { type: "fault", phase: "heal", fault: "crash node1", time: 3000 },
      { type: "server-state", server: "node1", state: "UP", time: 4000 },
    ];
    const [fault, server] = lanes(h);
    expect(fault!.segments.map((s) => [s.state, s.from, s.to, s.color !== null])).toEqual([
      ["injected", 1, 3, true],
      ["healed", 3, 4, false],
    ]);
    expect(server!.segments.map((s) => [s.state, s.from, s.to])).toEqual([
      ["UP", 0, 2],
      ["DOWN", 2, 4],
      ["UP", 4, 4],
    ]);
  });

  it("fault windows: an effect seen does not end the window, only a heal does", () => {
    const h: HistoryEvent[] = [
      { type: "start", time: 0, wallClock: "2026-11-25T00:00:00Z", runId: "t" },
      { type: "fault", phase: "inject", fault: "crash node1", time: 1000 },
      { type: "fault", phase: "effect", fault: "crash node1", time: 1500, detail: "node1 down" },
      { type: "fault", phase: "heal", fault: "crash node1", time: 3000 },
      { type: "fault", phase: "inject", fault: "split replication", time: 4000 },
      { type: "fault", phase: "effect", fault: "split replication", time: 4500 },
      { type: "server-state", server: "node1", state: "UP", time: 6000 },
    ];
    expect(faultWindows(h)).toEqual([
      { fault: "crash node1", from: 1, to: 3 },
      { fault: "split replication", from: 4, to: 6 },
    ]);
  });

  it("a folder that is not a run is refused, saying why", () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), "fd-empty-"));
    expect(() => readRunFolder(path.join(empty, "nope"))).toThrow(NotARunFolderError);
    mkdirSync(path.join(empty, "x", "y"), { recursive: true });
    expect(() => readRunFolder(empty)).toThrow(/holds no drill result/);
  });
});

describe("firedrill report", () => {
  it("rewrites index.html, summary.md and summary.json from a run folder", async () => {
    const runDir = plantedRun();
    const { out } = captureOutput();
    expect(await main(["report", runDir, "--json"])).toBe(0);
    const written = JSON.parse(out.join("")) as { html: string; bytes: number };
    expect(written.html).toBe(path.join(runDir, "index.html"));
    expect(JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8"))).toHaveLength(4);
  });

  it("a missing or non-run folder is one line on stderr and exit 2", async () => {
    const { err } = captureOutput();
    expect(await main(["report", "/nonexistent/fd-x"])).toBe(2);
    expect(err.join("")).toBe("firedrill report: /nonexistent/fd-x is not a folder\n");
  });
});
