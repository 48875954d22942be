import { mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../settings/settings.ts";
import { writeInterruptedRun, writePlantedRun } from "./fixtures/planted-run.ts";
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

  it("shows an interrupted drill as interrupted, in its own colour, never as passed", async (ctx) => {
    if (missing) return ctx.skip(missing);
    const runDir = path.join(mkdtempSync(path.join(os.tmpdir(), "fd-report-")), "fd-interrupted");
    writeInterruptedRun(runDir);
    const opened = await openReport(writeReport(runDir).html);
    try {
      const { page } = opened;
      const row = page.locator('table#verdicts tr[data-drill="split-replication"]');
      const badge = row.locator(".badge");
      // What a reader sees: the rendered text and colour, not the markup.
      expect(await badge.innerText()).toBe("interrupted");
      expect(await row.innerText()).toContain("the run ended before the drill finished");
      expect(await row.innerText()).not.toMatch(/\bpass/i);
      // The page's DOM types are not in this Node project's lib: getComputedStyle is reached through globalThis.
      type Styled = { getComputedStyle(e: unknown): { backgroundColor: string } };
      const colour = (l: typeof badge) =>
        l.evaluate((e) => (globalThis as unknown as Styled).getComputedStyle(e).backgroundColor);
      const passBadge = page.locator('table#verdicts tr[data-drill="crash-node1"] .badge');
      expect(await passBadge.innerText()).toBe("pass");
      expect(await colour(badge)).not.toBe(await colour(passBadge));
      expect(await colour(badge)).toBe("rgb(63, 74, 90)");
      const section = page.locator("section#split-replication-hardened");
      expect(await section.locator("h3 .badge").innerText()).toBe("interrupted");
      expect(await section.innerText()).not.toMatch(/\bpass/i);
      expect(await section.locator("svg.timeline g.lane").count()).toBeGreaterThanOrEqual(3);
      expect(await section.locator("li.unhealed").innerText()).toContain("never healed");
      expect(await page.locator("header p").innerText()).toContain("1 interrupted");
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.networkRequests).toEqual([]);
    } finally {
      await opened.browser.close();
    }
  }, 60_000);
});
