import path from "node:path";
import { NotARunFolderError } from "../../store/run-folder.ts";
import { writeSummary } from "../../store/summary.ts";
import { writeReport } from "../../report/write-report.ts";
import { UserError } from "../../util/errors.ts";
import type { CommandContext } from "../command-context.ts";

/**
 * Rebuilds a run's report from its saved artifacts: summary.json from the drills' result.json,
 * the checkers re-run on history.jsonl and observed.json, then index.html and summary.md. A drill
 * the run never finished (a history.jsonl, no result.json) is reported interrupted, and said so here.
 * Exit 0 when written (whatever the verdicts), 2 for a folder that is not a run.
 */
export async function reportCommand(
  values: Record<string, unknown>,
  positionals: string[],
  { settings }: CommandContext,
): Promise<number> {
  if (positionals.length > 1) throw new UserError("name one run folder: `firedrill report [<run-dir>]`");
  const runDir = path.resolve(positionals[0] ?? path.join(settings.reportsDir, "latest"));
  let written;
  try {
    written = writeReport(runDir);
  } catch (err) {
    if (err instanceof NotARunFolderError) throw new UserError(err.message);
    throw err;
  }
  const interrupted = writeSummary(runDir)
    .filter((r) => r.verdict === "interrupted")
    .map((r) => `${r.drill} (${r.profile})`);
  const rel = (f: string) => path.relative(process.cwd(), f) || f;
  const n = interrupted.length;
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ ...written, interrupted })}\n`
      : `report: ${rel(written.html)} (${(written.bytes / 1024).toFixed(0)} KiB in ${written.millis.toFixed(0)} ms); summary: ${rel(written.markdown)}\n${
          n
            ? `${n} drill${n === 1 ? " was" : "s were"} interrupted (the run ended before ${n === 1 ? "it" : "they"} finished), no verdict: ${interrupted.join(", ")}\n`
            : ""
        }`,
  );
  return 0;
}
