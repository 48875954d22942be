import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunDrillOptions } from "../../drills/run-drill.ts";
import type { DrillSpec } from "../../drills/spec.ts";
import { writeInterruptedDrill } from "../../report/fixtures/planted-run.ts";
import { readDrillFolder } from "../../store/run-folder.ts";
import type { DrillResult, DrillVerdict } from "../../store/drill-result.ts";
import { captureOutput } from "../../testing/capture-output.ts";
import { main } from "../main.ts";
import { runExitCode } from "./run.ts";

// No engine, no lab: the drill "runs" by leaving what a killed run leaves (a history.jsonl, no
// result.json) and answers with what the report reads from it.
vi.mock("../../providers/start-lab.ts", () => ({ prepareEngineAndImages: async () => undefined }));
vi.mock("../../drills/run-drill.ts", () => ({
  runDrill: async (def: DrillSpec, profile: string, o: RunDrillOptions) => {
    writeInterruptedDrill(o.folder.runDir, def.id, profile);
    return readDrillFolder(o.folder.dir, def.id, profile)!.result;
  },
}));

afterEach(() => vi.restoreAllMocks());

// Every verdict, checked by the compiler: a new one fails `tsc` here until this test covers it.
const verdicts = Object.keys({
  pass: 0,
  fail: 0,
  skipped: 0,
  interrupted: 0,
} satisfies Record<DrillVerdict, 0>) as DrillVerdict[];
const result = (verdict: DrillVerdict): DrillResult => ({
  drill: "crash-node1",
  profile: "hardened",
  verdict,
  figures: {},
  findings: [],
});

describe("firedrill run's exit code", () => {
  it("is 0 only when every result passed: interrupted is never 0, alone or beside a pass", () => {
    for (const v of verdicts) expect([v, runExitCode([result(v)])]).toEqual([v, v === "pass" ? 0 : 1]);
    expect(runExitCode([result("pass"), result("interrupted")])).toBe(1);
    expect(runExitCode([result("interrupted"), result("pass")])).toBe(1);
    expect(runExitCode([result("pass"), result("pass")])).toBe(0);
    expect(runExitCode([])).toBe(1);
  });

  it("a run whose drill comes back interrupted exits 1, says interrupted and reports it", async () => {
    const reports = mkdtempSync(path.join(os.tmpdir(), "fd-run-"));
    const { out } = captureOutput();
    const code = await main(["run", "split-replication", "--profile", "hardened", "--quiet"], {
      FIREDRILL_REPORTS_DIR: reports,
      FIREDRILL_PLAIN_PROGRESS: "1",
    });
    expect(code).toBe(1);
    expect(out.join("")).toMatch(
      /^split-replication hardened: interrupted \(the run ended before the drill finished: history\.jsonl has \d+ events, the last at 7\.95 s; no result\.json\)\nreport: .*summary\.json\n$/,
    );
    const summary = JSON.parse(
      readFileSync(path.join(reports, "latest", "summary.json"), "utf8"),
    ) as DrillResult[];
    expect(summary.map((r) => r.verdict)).toEqual(["interrupted"]);
    expect(readFileSync(path.join(reports, "latest", "index.html"), "utf8")).toContain(
      '<span class="badge interrupted">interrupted</span>',
    );
  });
});
