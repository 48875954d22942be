import { createReadStream } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dockerClient } from "../engine/docker-client.ts";
import { describeHost } from "../engine/engine-bootstrap.ts";
import type { Progress } from "../progress/progress.ts";
import { UserError } from "../util/errors.ts";
import { run, runChecked } from "../util/run.ts";

/** Bump the suffix when the recipe below changes, so old bases are not reused. */
export const BASE_TAG = "firedrill/base:bookworm-minbase-1";
const UPSTREAM = "debian:bookworm-slim";

export async function imageExists(tag: string): Promise<boolean> {
  try {
    await dockerClient().getImage(tag).inspect();
    return true;
  } catch {
    // inspect throws 404 for a missing image; that is the answer, not an error.
    return false;
  }
}

/**
 * The Debian bookworm base every service image starts from. Pulled when a registry answers; otherwise
 * (as on machines with no registry) made with debootstrap and imported.
 */
export async function ensureBaseImage(
  progress: Progress,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (await imageExists(BASE_TAG)) return BASE_TAG;
  progress.step(`base image ${BASE_TAG}: trying to pull ${UPSTREAM}`);
  try {
    await pull(UPSTREAM);
    await dockerClient()
      .getImage(UPSTREAM)
      .tag({ repo: "firedrill/base", tag: BASE_TAG.split(":")[1] });
    return BASE_TAG;
  } catch (err) {
    progress.detail(`pull failed (${(err as Error).message.split("\n")[0]}); building it with debootstrap`);
  }
  await debootstrapImport(progress, env);
  return BASE_TAG;
}

async function pull(image: string): Promise<void> {
  const docker = dockerClient();
  const stream = await Promise.race([
    docker.pull(image),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("pull timed out after 60 s")), 60_000),
    ),
  ]);
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

async function debootstrapImport(progress: Progress, env: NodeJS.ProcessEnv): Promise<void> {
  const host = describeHost(env);
  if (!host.isRoot) {
    throw new UserError(
      `cannot pull ${UPSTREAM} and building the base image with debootstrap needs root; run \`firedrill images\` as root once, or make ${UPSTREAM} pullable`,
    );
  }
  const probe = await run(["debootstrap", "--version"], { timeoutMs: 30_000 });
  if (probe.exitCode !== 0) {
    if (!host.isDebianLike)
      throw new UserError(
        "debootstrap is missing and this is not Debian/Ubuntu; install debootstrap, then run again",
      );
    progress.detail("installing debootstrap (apt-get)");
    await runChecked(["apt-get", "install", "-y", "-qq", "debootstrap"], {
      env: { DEBIAN_FRONTEND: "noninteractive" },
      timeoutMs: 600_000,
    });
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "firedrill-rootfs-"));
  // The archive goes beside the root filesystem, not into it.
  const tarball = `${dir}.tar`;
  try {
    progress.detail(`debootstrap --variant=minbase bookworm (about 30 s) into ${dir}`);
    const args = ["--variant=minbase", "bookworm", dir];
    if (env.FIREDRILL_DEBIAN_MIRROR) args.push(env.FIREDRILL_DEBIAN_MIRROR);
    await runChecked(["debootstrap", ...args], { timeoutMs: 1_200_000 });
    // Package caches only make every image heavier.
    const archives = path.join(dir, "var/cache/apt/archives");
    for (const f of await readdir(archives)) if (f.endsWith(".deb")) await rm(path.join(archives, f));
    progress.detail(`importing as ${BASE_TAG}`);
    const [repo, tag] = BASE_TAG.split(":");
    // GNU tar, not tar-fs: a root filesystem has device nodes (dev/console) that tar-fs cannot pack.
    // Into a file, not a pipe: zx keeps everything a child prints, and this is the whole rootfs.
    await runChecked(["tar", "-C", dir, "-cf", tarball, "."], { timeoutMs: 600_000 });
    const stream = await dockerClient().importImage(createReadStream(tarball), { repo, tag });
    await new Promise<void>((resolve, reject) =>
      dockerClient().modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
  } finally {
    await rm(tarball, { force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
