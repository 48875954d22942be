import { pack } from "tar-fs";
import { dockerClient } from "../engine/docker-client.ts";
import type { Progress } from "../progress/progress.ts";
import type { ImageName } from "../topology/topology.ts";
import { ensureBaseImage, imageExists, type BaseImage } from "./base-image.ts";
import { contextHash, listInputFiles, type BuildableImage } from "./image-inputs.ts";

export type ImageTags = Readonly<Record<ImageName, string>>;

export interface BuildResult {
  name: ImageName;
  tag: string;
  built: boolean;
  seconds: number;
}

/** `firedrill/<name>:<hash of its inputs and of the base image's id>`. */
export function imageTag(clusterDir: string, name: BuildableImage, baseId: string): string {
  return `firedrill/${name}:${contextHash(clusterDir, listInputFiles(clusterDir, name), baseId)}`;
}

/** Builds what is missing, one image at a time (2 cores: parallel apt installs only thrash). */
export async function ensureImages(
  clusterDir: string,
  names: readonly ImageName[],
  progress: Progress,
): Promise<{ tags: ImageTags; results: BuildResult[]; base: BaseImage }> {
  const base = await ensureBaseImage(progress);
  const tags: Partial<Record<ImageName, string>> = {};
  const results: BuildResult[] = [];
  for (const name of names) {
    const t0 = performance.now();
    const tag = imageTag(clusterDir, name, base.id);
    tags[name] = tag;
    if (await imageExists(tag)) {
      results.push({ name, tag, built: false, seconds: 0 });
      continue;
    }
    progress.step(`building image ${tag}`);
    await buildImage(clusterDir, name, tag, base.tag, progress);
    const seconds = (performance.now() - t0) / 1000;
    progress.detail(`built ${tag} in ${seconds.toFixed(1)} s`);
    results.push({ name, tag, built: true, seconds });
  }
  return { tags: tags as ImageTags, results, base };
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * The `machines` provider's server image (cluster/images/machine: Debian with its own Docker engine,
 * sshd and a sudo user), built and tagged by content hash like the lab's images, only when a machines
 * lab asks for it.
 */
export async function ensureMachineImage(
  clusterDir: string,
  progress: Progress,
): Promise<{ tag: string; built: boolean; seconds: number }> {
  const t0 = performance.now();
  const base = await ensureBaseImage(progress);
  const tag = imageTag(clusterDir, "machine", base.id);
  if (await imageExists(tag)) return { tag, built: false, seconds: 0 };
  progress.step(`building image ${tag}`);
  await buildImage(clusterDir, "machine", tag, base.tag, progress);
  const seconds = (performance.now() - t0) / 1000;
  progress.detail(`built ${tag} in ${seconds.toFixed(1)} s`);
  return { tag, built: true, seconds };
}

async function buildImage(
  clusterDir: string,
  name: BuildableImage,
  tag: string,
  baseTag: string,
  progress: Progress,
) {
  const docker = dockerClient();
  const files = listInputFiles(clusterDir, name);
  const context = pack(clusterDir, { entries: files });
  const stream = await docker.buildImage(context, {
    t: tag,
    dockerfile: `images/${name}/Dockerfile`,
    buildargs: { BASE_IMAGE: baseTag },
    labels: { "firedrill.image": name },
    rm: true,
    forcerm: true,
  });
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: BuildEvent[]) => {
        const failed = err?.message ?? events.find((e) => e.error)?.error;
        if (failed) {
          reject(
            new Error(`building ${tag} failed: ${failed}\n--- last build output ---\n${tail.join("\n")}`),
          );
        } else resolve();
      },
      (event: BuildEvent) => {
        for (const line of (event.stream ?? "").split("\n")) {
          const text = line.trimEnd();
          if (!text) continue;
          tail.push(text);
          if (tail.length > 30) tail.shift();
          // Each Dockerfile step is progress; apt's chatter stays in the tail for errors.
          if (/^Step \d+\/\d+ :/.test(text)) progress.detail(`${name}: ${text.slice(0, 140)}`);
        }
      },
    );
  });
}
