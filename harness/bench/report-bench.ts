/**
 * `pnpm bench:report [<run-dir>] [--times N]`: how long writing a run's report takes and how big
 * it is, and how long headless chromium takes to load it from disk (navigation start → load event).
 * The run folder (default reports/latest) is copied to a temp folder first: the original is read only.
 * A benchmark: it prints, it never fails.
 */
import { cpSync, mkdtempSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { chromiumMissing, openReport } from "../report/open-in-chromium.ts";
import { readRunFolder } from "../store/run-folder.ts";
import { writeReport } from "../report/write-report.ts";
import { resolveSettings } from "../settings/settings.ts";

const { values, positionals } = parseArgs({
  options: { times: { type: "string" } },
  allowPositionals: true,
  strict: true,
});
const times = Number(values.times ?? 5);
const source = path.resolve(positionals[0] ?? path.join(resolveSettings().reportsDir, "latest"));
const runDir = path.join(mkdtempSync(path.join(os.tmpdir(), "fd-report-bench-")), path.basename(source));
cpSync(source, runDir, { recursive: true, dereference: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;

const run = readRunFolder(runDir);
const inputBytes = run.drills
  .flatMap((d) => d.artifacts)
  .reduce((sum, a) => sum + statSync(path.join(runDir, a.href)).size, 0);
const events = run.drills.reduce((n, d) => n + (d.history?.length ?? 0), 0);
console.log(
  `run ${run.runId}: ${run.drills.length} drill results, ${events} history events, ${mib(inputBytes)} of artifacts`,
);

const gen: number[] = [];
let bytes = 0;
for (let i = 0; i < times; i++) {
  const r = writeReport(runDir);
  gen.push(r.millis);
  bytes = r.bytes;
}
console.log(
  `generation: median ${median(gen).toFixed(0)} ms over ${times} (first ${gen[0]!.toFixed(0)} ms); index.html ${mib(bytes)}`,
);

const missing = chromiumMissing();
if (missing) console.log(`chromium load: skipped (${missing})`);
else {
  const loads: number[] = [];
  for (let i = 0; i < times; i++) {
    const opened = await openReport(path.join(runDir, "index.html"));
    loads.push(opened.loadMillis);
    if (opened.consoleErrors.length || opened.networkRequests.length)
      console.log(
        `  console errors ${opened.consoleErrors.length}, network requests ${opened.networkRequests.length}`,
      );
    await opened.browser.close();
  }
  console.log(
    `chromium load (navigation start → load event): median ${median(loads).toFixed(0)} ms over ${times} (${loads.map((l) => l.toFixed(0)).join(", ")})`,
  );
}
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}`);
