import type Docker from "dockerode";
import { $ } from "zx";
import type { ImageTags } from "../../images/build-images.ts";
import type { Progress } from "../../progress/progress.ts";
import { serverNames, servicesOn, type ServerName } from "../../topology/topology.ts";
import type { MachineHandle } from "./machine-access.ts";
import { execIn } from "./machine-engine.ts";

/** The images (of `wanted`) a machine's engine lacks. */
export async function missingImages(
  container: Docker.Container,
  wanted: readonly string[],
): Promise<string[]> {
  const r = await execIn(
    container,
    [
      "sh",
      "-c",
      'for t; do docker image inspect --format . "$t" >/dev/null 2>&1 || echo "$t"; done',
      "sh",
      ...wanted,
    ],
    30_000,
  );
  if (r.exitCode !== 0) throw new Error(`checking the images of ${wanted.join(", ")}: ${r.output.trim()}`);
  return r.output.split("\n").filter((t) => wanted.includes(t));
}

/**
 * Loads images from this machine's engine into a machine's engine: `docker save | docker exec -i
 * <machine> docker load`, one stream for all of them (layers they share go once).
 */
export async function loadImages(machine: string, tags: readonly string[], timeoutMs: number): Promise<void> {
  if (tags.length === 0) return;
  const r = await $({
    nothrow: true,
    quiet: true,
    timeout: timeoutMs,
  })`docker save ${tags} | docker exec -i ${machine} docker load`;
  if (r.exitCode !== 0)
    throw new Error(
      `loading ${tags.join(", ")} into ${machine} failed (exit ${r.exitCode}${r.signal ? `, ${r.signal}` : ""}): ${r.stderr.trim().split("\n").slice(-5).join(" / ")}`,
    );
}

/** Images each server's engine needs: its services', and the network-admin helper the faults use. */
export function imagesFor(server: ServerName, tags: ImageTags): string[] {
  const names = new Set([
    ...servicesOn(server).flatMap((s) => (s.image ? [s.image] : [])),
    "netadmin" as const,
  ]);
  return [...names].map((n) => tags[n]).sort();
}

/** `fn` over `items`, at most `limit` at once; the results in the order of `items`. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Loads into each machine the images it lacks, `concurrency` machines at a time. */
export async function loadMachineImages(
  docker: Docker,
  handles: Record<ServerName, MachineHandle>,
  tags: ImageTags,
  concurrency: number,
  progress: Progress,
): Promise<void> {
  const t0 = performance.now();
  await mapLimit(serverNames, concurrency, async (s) => {
    const t1 = performance.now();
    const missing = await missingImages(docker.getContainer(handles[s].name), imagesFor(s, tags));
    if (missing.length === 0) return progress.detail(`${s}: every image already in its cache`);
    progress.detail(`${s}: loading ${missing.map((t) => t.replace(/^firedrill\//, "")).join(", ")}`);
    await loadImages(handles[s].name, missing, 600_000);
    progress.detail(
      `${s}: loaded ${missing.length} images in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
  });
  progress.detail(`images ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
