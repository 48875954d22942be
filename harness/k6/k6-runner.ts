import { accessSync, constants, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { run as runProcess } from "../util/run.ts";
import { parseK6Summary, type K6Summary } from "./k6-summary.ts";

export const K6_MISSING = "k6 not found on PATH: install k6 to run the load drill with it";
/** k6 runs TypeScript without flags from 0.57 on. */
export const K6_MIN_VERSION = [0, 57, 0] as const;

export type K6Availability = { path: string; version: string } | { skipped: string };

/** The first executable file called `name` on `env.PATH`, as a shell would find it. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here (or not executable): the next PATH entry may have it.
      continue;
    }
  }
  return undefined;
}

/**
 * Runs k6 to its end or `timeoutMs`, where it is killed outright (SIGKILL): a run past its limit is
 * abandoned, not wound down. Resolves with the exit code and the last 40 lines k6 printed.
 */
async function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  const r = await runProcess([file, ...args], { env, timeoutMs, timeoutSignal: "SIGKILL" });
  if (r.timedOut)
    throw new Error(`${path.basename(file)} ${args[0]} still running after ${timeoutMs / 1000} s; killed`);
  return { code: r.exitCode, output: r.output.trimEnd().split("\n").slice(-40).join("\n").trim() };
}

/** Whether k6 can run the scripts here: on PATH, runs, and new enough for TypeScript; else why not. */
export async function k6Availability(env: NodeJS.ProcessEnv = process.env): Promise<K6Availability> {
  const k6 = findOnPath("k6", env);
  if (!k6) return { skipped: K6_MISSING };
  let out: { code: number | null; output: string };
  try {
    out = await run(k6, ["version"], env, 30_000);
  } catch (err) {
    return { skipped: `k6 at ${k6} does not run: ${(err as Error).message}` };
  }
  const m = /\bv?(\d+)\.(\d+)\.(\d+)/.exec(out.output);
  if (out.code !== 0 || !m)
    return { skipped: `\`${k6} version\` failed (exit ${out.code}): ${out.output.split("\n")[0] ?? ""}` };
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (compare(v, K6_MIN_VERSION) < 0)
    return {
      skipped: `k6 v${v.join(".")} is older than v${K6_MIN_VERSION.join(".")} and cannot run the TypeScript scripts in scenarios/k6: upgrade k6`,
    };
  return { path: k6, version: v.join(".") };
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

export interface K6RunOptions {
  k6: string;
  script: string;
  /** Passed to the script as `__ENV` (`k6 run -e K=V`), so a wrapper around k6 needs no environment. */
  scriptEnv: Record<string, string>;
  summaryFile: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

export interface K6Run {
  /** k6's exit code: 0, or 99 when thresholds were crossed (the summary is written either way). */
  exitCode: number;
  thresholdsCrossed: boolean;
  summary: K6Summary;
  /** The last lines k6 printed. */
  output: string;
}

/** `k6 run --summary-export <file> <script>` to completion (bounded by `timeoutMs`), then its summary. */
export async function runK6(o: K6RunOptions): Promise<K6Run> {
  const url = o.scriptEnv.FIREDRILL_URL;
  if (url !== undefined && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(url))
    throw new Error(`refusing to point k6 at ${url}: load goes only to 127.0.0.1`);
  const args = ["run", "--no-color", "--quiet", "--summary-export", o.summaryFile];
  for (const [k, v] of Object.entries(o.scriptEnv)) args.push("-e", `${k}=${v}`);
  args.push(o.script);
  const { code, output } = await run(o.k6, args, o.env ?? process.env, o.timeoutMs);
  // 99: thresholds crossed. Anything else non-zero: k6 itself failed (bad script, bad option).
  if (code !== 0 && code !== 99)
    throw new Error(`k6 run ${path.basename(o.script)} exited ${code}:\n${output}`);
  let text: string;
  try {
    text = readFileSync(o.summaryFile, "utf8");
  } catch {
    throw new Error(`k6 run ${path.basename(o.script)} wrote no summary at ${o.summaryFile}:\n${output}`);
  }
  return { exitCode: code, thresholdsCrossed: code === 99, summary: parseK6Summary(text), output };
}
