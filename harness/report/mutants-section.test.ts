import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Mutant } from "../mutants/mutant.ts";
import { judgeDrillRun, judgeMutant, mutantsReport } from "../mutants/results.ts";
import { writeMutantsReport } from "../store/mutants-file.ts";
import { writeDrillResult } from "../store/drill-files.ts";
import { mutantsMarkdown, mutantsSection, withMutantsSection } from "./mutants-section.ts";
import { writeReport } from "./write-report.ts";

const m = (id: string, awaits?: string): Mutant => ({
  id,
  title: `title of ${id}`,
  layer: "alertmanager",
  profile: "hardened",
  why: "The operator <b>mistypes</b> | a port.",
  mutation: () => ({}),
  drills: [{ drill: "crash-node1", breaks: ["alert:*#fires"] }],
  ...(awaits ? { awaits } : {}),
});

function planted() {
  const killed = judgeMutant(m("killed-one"), [
    judgeDrillRun(
      m("killed-one").drills[0]!,
      {
        verdict: "fail",
        findings: ["expected: X fires — never fired <script>"],
        expectations: [
          {
            id: "alert:X",
            description: "X fires",
            met: false,
            detail: "never fired <script>",
            failed: ["fires"],
          },
        ],
      },
      "crash-node1/hardened+killed-one",
      120,
    ),
  ]);
  const survivor = judgeMutant(m("survivor", "the Watchdog"), [
    judgeDrillRun(
      m("survivor").drills[0]!,
      { verdict: "pass", findings: [] },
      "crash-node1/hardened+survivor",
      90,
    ),
  ]);
  const odd = judgeMutant(m("odd-kill"), [
    judgeDrillRun(
      m("odd-kill").drills[0]!,
      { verdict: "fail", findings: ["drill crashed: boom"] },
      "crash-node1/hardened+odd-kill",
      30,
    ),
  ]);
  return mutantsReport("fd-1", "t0", 4, [killed, survivor, odd]);
}

describe("the report's Mutants section", () => {
  it("shows the score, each mutant's status and the finding that killed it, escaped", () => {
    const text = mutantsSection(planted()).value;
    expect(text).toContain('<section id="mutants">');
    expect(text).toContain("Mutation score 67 % (2 of 3 killed).");
    expect(text).toContain("The run stopped after 3 of 4 mutants.");
    expect(text).toContain('<span class="badge pass">killed</span>');
    expect(text).toContain('<span class="badge fail">survived</span>');
    expect(text).toContain("killed, unexpected finding");
    expect(text).toContain("crash-node1: expected: X fires — never fired &lt;script&gt;");
    expect(text).toContain("awaits the Watchdog");
    expect(text).not.toContain("<script>");
    expect(text).not.toContain("<b>");
    // Each drill links to its own section (anchor of drill and `<profile>+<mutant>`).
    expect(text).toContain('href="#crash-node1-hardened_killed-one"');
  });

  it("goes before the drills, with a link in the navigation", () => {
    const page = "<header><nav><a>x</a></nav></header><main><h2>Verdicts</h2><h2>Drills</h2></main>";
    const out = withMutantsSection(page, planted());
    expect(out.indexOf('<section id="mutants">')).toBeLessThan(out.indexOf("<h2>Drills</h2>"));
    expect(out.indexOf('<section id="mutants">')).toBeGreaterThan(out.indexOf("<h2>Verdicts</h2>"));
    expect(out).toContain('<nav><a href="#mutants">mutants</a>');
    expect(withMutantsSection(page, undefined)).toBe(page);
  });

  it("has a markdown twin for summary.md and the CI job summary", () => {
    const md = mutantsMarkdown(planted());
    expect(md).toContain("## Mutants");
    expect(md).toContain(
      "| mutant | profile | layer | status | drill | finding that killed it / why not | seconds |",
    );
    expect(md).toContain(
      "| killed-one | hardened | alertmanager | ✅ killed | crash-node1 (fail) | crash-node1: expected: X fires — never fired &lt;script&gt; | 120 |",
    );
    expect(md).toMatch(
      /\| survivor \| .* ❌ survived \| crash-node1 \(pass\) \| every drill passed; awaits the Watchdog;/,
    );
    expect(md).toContain("✅ killed, unexpected finding");
  });
});

describe("writeReport on a mutants run", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("puts the section in index.html and summary.md from mutants.json", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fd-mutants-report-"));
    writeDrillResult(dir, {
      drill: "crash-node1",
      profile: "hardened+killed-one",
      verdict: "fail",
      figures: {},
      findings: ["expected: X fires — never fired"],
    });
    writeMutantsReport(dir, planted());
    writeReport(dir);
    const page = readFileSync(path.join(dir, "index.html"), "utf8");
    expect(page).toContain('<section id="mutants">');
    expect(page).toContain('id="crash-node1-hardened_killed-one"');
    const md = readFileSync(path.join(dir, "summary.md"), "utf8");
    expect(md.startsWith("## Mutants")).toBe(true);
    expect(md).toContain("## firedrill run");
  });
});
