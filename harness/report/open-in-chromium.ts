import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium; the report test and bench drive it through playwright-core (no downloaded browser). */
export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser checks cannot run here, or undefined when they can. */
export function chromiumMissing(executable = CHROMIUM): string | undefined {
  return existsSync(executable) ? undefined : `chromium not found at ${executable}: apt-get install chromium`;
}

export interface OpenedReport {
  browser: Browser;
  page: Page;
  consoleErrors: string[];
  /** Every request the page made that was not file:// (a self-contained report makes none). */
  networkRequests: string[];
  /** Navigation start → load event, from the page's own performance timing. */
  loadMillis: number;
}

/** Opens a report from disk in headless chromium, recording console errors and requests on the way. */
export async function openReport(file: string, executable = CHROMIUM): Promise<OpenedReport> {
  const browser = await chromium.launch({
    executablePath: executable,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors: string[] = [];
    const networkRequests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith("file://")) networkRequests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    // A string, not a function: the page's DOM types are not in this Node project's lib.
    const loadMillis = Number(
      await page.evaluate(
        `(() => { const [n] = performance.getEntriesByType("navigation"); return n ? n.loadEventEnd - n.startTime : NaN; })()`,
      ),
    );
    return { browser, page, consoleErrors, networkRequests, loadMillis };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
