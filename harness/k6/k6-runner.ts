import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { LABEL_FIREDRILL, LABEL_ROLE, LABEL_RUN } from "../lab/labels.ts";
import { findOnPath } from "../util/find-on-path.ts";
import { run as runProcess } from "../util/run.ts";
import { parseK6Summary, type K6Summary } from "./k6-summary.ts";

export const K6_MISSING = "k6 not found on PATH: install k6 to run the load drill with it";
/** k6 runs TypeScript without flags from 0.57 on. */
export const K6_MIN_VERSION = [0, 57, 0] as const;

/**
 * `FIREDRILL_K6_IMAGE`: run k6 from this image (`grafana/k6:<version>`, pulled beforehand) instead of
 * a k6 on PATH. Each run is then a named container carrying the lab's run labels, removed at its end
 * (`--rm`) or by name when its time limit kills the docker CLI (which alone would leave it running).
 */
export const K6_IMAGE_ENV = "FIREDRILL_K6_IMAGE";

/** k6 here: its executable (or the docker CLI, with `image`), its version. */
export type K6Availability = { path: string; version: string; image?: string } | { skipped: string };

/** A k6 container: its name, and the labels that tie it to the run (reaper, `down`, Ctrl-C cleanup). */
export interface K6Container {
  image: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** Host folders the container sees at the same path (the script's, the summary's). */
  mounts: readonly { dir: string; readOnly: boolean }[];
  workdir: string;
}

/** A container name for one k6 run: the run id when the labels carry one, and a random suffix. */
export function k6ContainerName(labels: Readonly<Record<string, string>>): string {
  const run = (labels[LABEL_RUN] ?? "firedrill").replace(/[^A-Za-z0-9_.-]/g, "-");
  return `${run}-k6-${randomBytes(4).toString("hex")}`;
}

/**
 * `docker run` of k6 in its own named, labelled container: on the host's network (the lab's ports are
 * on this machine's 127.0.0.1), as this user (the summary it writes is ours), removed when it ends.
 */
export function k6DockerArgs(c: K6Container, k6Args: readonly string[]): string[] {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  // One mount per folder (docker refuses a duplicate mount point), writable if any use writes.
  const mounts = new Map<string, boolean>();
  for (const m of c.mounts) mounts.set(m.dir, (mounts.get(m.dir) ?? true) && m.readOnly);
  return [
    "run",
    "--rm",
    "--name",
    c.name,
    ...Object.entries(c.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    "--network",
    "host",
    "--user",
    `${uid}:${gid}`,
    ...[...mounts].flatMap(([dir, readOnly]) => ["-v", `${dir}:${dir}${readOnly ? ":ro" : ""}`]),
    "-w",
    c.workdir,
    c.image,
    ...k6Args,
  ];
}

/** The labels of a k6 container with no lab's labels given: still firedrill's, and said to be k6. */
const K6_ROLE_LABELS = { [LABEL_FIREDRILL]: "1", [LABEL_ROLE]: "k6" };

/**
 * Runs k6 to its end or `timeoutMs`, where it is killed outright (SIGKILL): a run past its limit is
 * abandoned, not wound down. k6 in a container (`container`) is the docker CLI's child no more: the
 * container is removed by name at the limit. Resolves with the exit code and the last 40 lines k6 printed.
 */
async function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  container?: K6Container,
): Promise<{ code: number | null; output: string }> {
  const argv = container ? [file, ...k6DockerArgs(container, args)] : [file, ...args];
  const r = await runProcess(argv, { env, timeoutMs, timeoutSignal: "SIGKILL" });
  if (r.timedOut) {
    let removed = "";
    if (container) {
      // SIGKILL reached the docker CLI only; the engine keeps the container running without it.
      const rm = await runProcess([file, "rm", "--force", container.name], { env, timeoutMs: 30_000 });
      removed =
        rm.exitCode === 0
          ? `; container ${container.name} removed`
          : `; removing container ${container.name} failed: ${rm.output.trim().split("\n")[0] ?? ""}`;
    }
    throw new Error(
      `${path.basename(file)} ${args[0]} still running after ${timeoutMs / 1000} s; killed${removed}`,
    );
  }
  return { code: r.exitCode, output: r.output.trimEnd().split("\n").slice(-40).join("\n").trim() };
}

/**
 * Whether k6 can run the scripts here: on PATH (or its image, `FIREDRILL_K6_IMAGE`, with the docker
 * CLI), runs, and new enough for TypeScript; else why not. `labels` go on the container that answers
 * `k6 version` from the image.
 */
export async function k6Availability(
  env: NodeJS.ProcessEnv = process.env,
  labels: Readonly<Record<string, string>> = K6_ROLE_LABELS,
): Promise<K6Availability> {
  const image = env[K6_IMAGE_ENV]?.trim() || undefined;
  const k6 = image ? findOnPath("docker", env) : findOnPath("k6", env);
  if (!k6)
    return {
      skipped: image ? `${K6_IMAGE_ENV}=${image} needs the docker CLI on PATH, and it is not` : K6_MISSING,
    };
  const what = image ? `k6 from ${image}` : `k6 at ${k6}`;
  let out: { code: number | null; output: string };
  try {
    const container = image
      ? { image, name: k6ContainerName(labels), labels, mounts: [], workdir: "/" }
      : undefined;
    out = await run(k6, ["version"], env, image ? 120_000 : 30_000, container);
  } catch (err) {
    return { skipped: `${what} does not run: ${(err as Error).message}` };
  }
  const m = /\bv?(\d+)\.(\d+)\.(\d+)/.exec(out.output);
  if (out.code !== 0 || !m)
    return {
      skipped: `\`${image ? `docker run ${image}` : k6} version\` failed (exit ${out.code}): ${out.output.split("\n")[0] ?? ""}`,
    };
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (compare(v, K6_MIN_VERSION) < 0)
    return {
      skipped: `k6 v${v.join(".")} is older than v${K6_MIN_VERSION.join(".")} and cannot run the TypeScript scripts in scenarios/k6: upgrade k6`,
    };
  return image ? { path: k6, version: v.join("."), image } : { path: k6, version: v.join(".") };
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

export interface K6RunOptions {
  /** k6's executable, or the docker CLI when `image` is set (k6Availability's `path`). */
  k6: string;
  /** Run k6 from this image, in a named container with `labels` (k6Availability's `image`). */
  image?: string;
  /** The labels of that container: the lab's run labels, so the reaper and `down` find it. */
  labels?: Readonly<Record<string, string>>;
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
  const labels = { ...K6_ROLE_LABELS, ...o.labels };
  const container: K6Container | undefined = o.image
    ? {
        image: o.image,
        name: k6ContainerName(labels),
        labels,
        mounts: [
          { dir: path.dirname(path.resolve(o.script)), readOnly: true },
          { dir: path.dirname(path.resolve(o.summaryFile)), readOnly: false },
        ],
        workdir: path.dirname(path.resolve(o.script)),
      }
    : undefined;
  const { code, output } = await run(o.k6, args, o.env ?? process.env, o.timeoutMs, container);
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
