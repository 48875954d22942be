/**
 * The runner every tool call here once went through is now harness/util/run.ts (zx underneath); this
 * name stays for the tests that still import it from here.
 */
import { run, type RunOptions, type RunResult } from "../../util/run.ts";

export { onPath } from "../../util/run.ts";
export type ToolRun = RunResult;

/** Runs one external tool with a hard time limit; never throws for its exit status (see `run`). */
export function runTool(argv: readonly string[], opts: RunOptions): Promise<ToolRun> {
  return run(argv, opts);
}
