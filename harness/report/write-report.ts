import { writeFileSync } from "node:fs";
import path from "node:path";
import { renderPage } from "./html/page.ts";
import { markdownSummary } from "./markdown-summary.ts";
import { readRunFolder } from "../store/run-folder.ts";
import { readMutantsReport } from "../store/mutants-file.ts";
import { mutantsMarkdown, withMutantsSection } from "./mutants-section.ts";
import { readExploreReport } from "../store/explore-file.ts";
import { exploreMarkdown, withExploreSection } from "./explore-section.ts";

export interface ReportFiles {
  html: string;
  markdown: string;
  bytes: number;
  millis: number;
}

/**
 * Reads a run folder back, re-runs the analysis its artifacts allow, and (re)writes `index.html`
 * and `summary.md` beside them. Throws NotARunFolderError for a folder that is not a run.
 */
export function writeReport(runDir: string, now: () => Date = () => new Date()): ReportFiles {
  const t0 = performance.now();
  const run = readRunFolder(runDir);
  // A `firedrill mutants` run: its score and table lead the page and the summary.
  const mutants = readMutantsReport(runDir);
  // A `firedrill explore` run: its schedules, and the failing one beside its minimal one, lead likewise.
  const explore = readExploreReport(runDir);
  const page = withExploreSection(
    withMutantsSection(renderPage({ run, generatedAt: now().toISOString() }).value, mutants),
    explore,
  );
  const htmlFile = path.join(runDir, "index.html");
  const mdFile = path.join(runDir, "summary.md");
  writeFileSync(htmlFile, page);
  writeFileSync(
    mdFile,
    (explore ? `${exploreMarkdown(explore)}\n` : "") +
      (mutants ? `${mutantsMarkdown(mutants)}\n` : "") +
      markdownSummary(
        run.runId,
        run.drills.map((d) => d.result),
      ),
  );
  return { html: htmlFile, markdown: mdFile, bytes: Buffer.byteLength(page), millis: performance.now() - t0 };
}

/**
 * The report at the end of a run: a report that cannot be written is a warning, never a changed
 * verdict (the results are already in summary.json). Returns the index.html written, if any.
 */
export function writeReportOrWarn(runDir: string, warn: (message: string) => void): string | undefined {
  try {
    return writeReport(runDir).html;
  } catch (err) {
    warn(`the HTML report of ${runDir} could not be written: ${(err as Error).message}`);
    return undefined;
  }
}
