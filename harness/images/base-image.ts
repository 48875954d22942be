import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { dockerClient } from "../engine/docker-client.ts";
import { describeHost } from "../engine/engine-bootstrap.ts";
import type { Progress } from "../progress/progress.ts";
import { UserError } from "../util/errors.ts";
import { run, runChecked } from "../util/run.ts";

/**
 * The one place the base image is pinned: Debian 12.11 ("bookworm") slim of 2025-08-11, by its
 * multi-architecture index digest, so a pull gets these bytes whatever the tag says later. Pulled
 * where a registry answers (GitHub's runners); `FIREDRILL_BASE_IMAGE` overrides it.
 */
export const PINNED_BASE_IMAGE =
  "debian:bookworm-20250811-slim@sha256:b1a741487078b369e78119849663d7f1a5341ef2768798f7b7406c4240f86aef";

/** The base made here with debootstrap where no registry answers. Bump the suffix when its recipe changes. */
export const DEBOOTSTRAP_TAG = "firedrill/base:bookworm-minbase-1";

/** The base every image was built FROM: its local tag, its id (in every image's tag), where it came from. */
export interface BaseImage {
  tag: string;
  id: string;
  /** The image reference it was pulled from, or "debootstrap". */
  source: string;
}

/** The base to pull: `FIREDRILL_BASE_IMAGE`, else the pin. An explicit one must be honoured or refused. */
export function baseImageSource(env: NodeJS.ProcessEnv = process.env): { image: string; explicit: boolean } {
  const set = env.FIREDRILL_BASE_IMAGE?.trim();
  if (!set) return { image: PINNED_BASE_IMAGE, explicit: false };
  if (!/^[a-z0-9][\w.\-/:]*(@sha256:[0-9a-f]{64})?$/.test(set))
    throw new UserError(
      `FIREDRILL_BASE_IMAGE: "${set}" is not an image reference; use e.g. debian:12.11-slim@sha256:<digest>`,
    );
  return { image: set, explicit: true };
}

/**
 * Where a pulled base is kept: one local tag per source reference, so another pin (or an override)
 * is pulled again, never mistaken for the base already here.
 */
export function pulledBaseTag(image: string): string {
  const readable = image
    .replace(/@sha256:([0-9a-f]{12})[0-9a-f]*$/, "-$1")
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .slice(0, 100);
  const hash = createHash("sha256").update(image).digest("hex").slice(0, 8);
  return `firedrill/base:${readable}-${hash}`;
}

/** `name:tag@digest` as `name@digest` (the digest is what is pulled; the tag only tells a reader which). */
export function pullReference(image: string): string {
  const at = image.indexOf("@");
  if (at < 0) return image;
  const name = image.slice(0, at).replace(/:[^/:]*$/, "");
  return `${name}${image.slice(at)}`;
}

async function inspectImage(tag: string): Promise<{ id: string; repoDigests: string[] } | undefined> {
  try {
    const info = await dockerClient().getImage(tag).inspect();
    return { id: info.Id, repoDigests: info.RepoDigests ?? [] };
  } catch {
    // inspect throws 404 for a missing image; that is the answer, not an error.
    return undefined;
  }
}

export async function imageExists(tag: string): Promise<boolean> {
  return (await inspectImage(tag)) !== undefined;
}

/**
 * The Debian bookworm base every service image starts from: the pin (or `FIREDRILL_BASE_IMAGE`)
 * pulled where a registry answers, else (as on machines with no registry) made with debootstrap and
 * imported. A base already here is reused: the pulled one of that same reference, or, unless
 * `FIREDRILL_BASE_IMAGE` asks for another, the one debootstrap made. Its id goes into every image's
 * tag, so another base rebuilds them all.
 */
export async function ensureBaseImage(
  progress: Progress,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BaseImage> {
  const { image, explicit } = baseImageSource(env);
  const pulledTag = pulledBaseTag(image);
  const pulled = await inspectImage(pulledTag);
  if (pulled) return { tag: pulledTag, id: pulled.id, source: image };
  const made = await inspectImage(DEBOOTSTRAP_TAG);
  // A base under that tag with a registry digest was pulled by an older firedrill (a floating tag):
  // not ours to keep in place of the pin.
  if (made && made.repoDigests.length === 0 && !explicit)
    return { tag: DEBOOTSTRAP_TAG, id: made.id, source: "debootstrap" };

  progress.step(`base image: pulling ${image}`);
  try {
    const ref = pullReference(image);
    await pull(ref);
    const [repo, tag] = pulledTag.split(":") as [string, string];
    await dockerClient().getImage(ref).tag({ repo, tag });
    const id = (await inspectImage(pulledTag))?.id;
    if (!id) throw new Error(`${pulledTag} missing right after tagging it`);
    return { tag: pulledTag, id, source: image };
  } catch (err) {
    const why = (err as Error).message.split("\n")[0];
    if (explicit)
      throw new UserError(
        `FIREDRILL_BASE_IMAGE=${image} could not be pulled (${why}); make the registry reachable, or unset it to use the pinned base (or debootstrap where no registry answers)`,
      );
    progress.detail(`pull failed (${why}); building the base with debootstrap`);
  }
  await debootstrapImport(progress, env);
  const id = (await inspectImage(DEBOOTSTRAP_TAG))?.id;
  if (!id) throw new Error(`${DEBOOTSTRAP_TAG} missing right after importing it`);
  return { tag: DEBOOTSTRAP_TAG, id, source: "debootstrap" };
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
      `cannot pull ${PINNED_BASE_IMAGE} and building the base image with debootstrap needs root; run \`firedrill images\` as root once, or make the registry reachable`,
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
    progress.detail(`importing as ${DEBOOTSTRAP_TAG}`);
    const [repo, tag] = DEBOOTSTRAP_TAG.split(":");
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
