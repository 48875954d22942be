import { mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../settings/settings.ts";
import { writePlantedRun } from "./fixtures/planted-run.ts";
import { chromiumMissing, openReport } from "./open-in-chromium.ts";
import { writeReport } from "./write-report.ts";

const missing = chromiumMissing();

describe("the HTML report in a real browser", () => {
  // Where chromium is missing the test is reported skipped with the reason, never passed.
  it("opens from disk with its verdicts and timelines, no console error, no network", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const runDir = path.join(mkdtempSync(path.join(os.tmpdir(), "fd-report-")), "fd-planted");
    writePlantedRun(runDir);
    const { html } = writeReport(runDir);
    const opened = await openReport(html);
    try {
      const { page } = opened;
      expect(await page.title()).toBe("firedrill fd-planted"); // the planted <script> never ran
      await expect(page.locator("table#verdicts tbody tr").count()).resolves.toBe(4);
      expect(await page.locator("table#verdicts").innerText()).toContain("k6 not found on PATH");
      expect(await page.locator("svg.timeline").count()).toBeGreaterThanOrEqual(2);
      const lanes = await page.locator("#timeline-crash-node1-hardened g.lane").count();
      expect(lanes).toBeGreaterThanOrEqual(5);
      expect(await page.locator("tr.write-finding").innerText()).toContain("4242");
      const shots = path.join(resolveSettings().reportsDir, "test-artifacts");
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: path.join(shots, "report-in-chromium.png"), fullPage: true });
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.networkRequests).toEqual([]);
    } finally {
      await opened.browser.close();
    }
  }, 60_000);
});
