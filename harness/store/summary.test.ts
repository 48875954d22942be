import { mkdtempSync, readlinkSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeDrillResult } from "./drill-files.ts";
import { linkLatest, writeSummary } from "./summary.ts";

describe("run report", () => {
  it("gathers drill results into a sorted summary.json and links latest", () => {
    const reports = mkdtempSync(path.join(os.tmpdir(), "fd-reports-"));
    const runDir = path.join(reports, "fd-1");
    writeDrillResult(runDir, {
      drill: "smoke",
      profile: "seed",
      verdict: "pass",
      figures: { upSeconds: 20 },
      findings: [],
    });
    writeDrillResult(runDir, {
      drill: "smoke",
      profile: "hardened",
      verdict: "fail",
      figures: {},
      findings: ["x"],
    });
    const summary = writeSummary(runDir);
    expect(summary.map((r) => `${r.drill}/${r.profile}/${r.verdict}`)).toEqual([
      "smoke/hardened/fail",
      "smoke/seed/pass",
    ]);
    expect(JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8"))).toEqual(summary);
    linkLatest(reports, "fd-1");
    linkLatest(reports, "fd-1");
    expect(readlinkSync(path.join(reports, "latest"))).toBe("fd-1");
  });
});
