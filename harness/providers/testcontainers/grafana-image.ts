import { dockerClient } from "../../engine/docker-client.ts";
import { describe } from "../../util/errors.ts";

/** Pinned, never `latest`; override with FIREDRILL_GRAFANA_IMAGE. */
export const DEFAULT_GRAFANA_IMAGE = "grafana/grafana-oss:11.3.0";

export type GrafanaAvailability = { image: string } | { skipped: string };

const cache = new Map<string, Promise<GrafanaAvailability>>();

/**
 * Grafana runs where its image is present or can be pulled; elsewhere (no registry, not packaged by
 * Debian) its slot is skipped with the reason. Asked once per process: a failed pull costs time.
 */
export function grafanaAvailability(image: string, pullTimeoutMs = 20_000): Promise<GrafanaAvailability> {
  let found = cache.get(image);
  if (!found) {
    found = probe(image, pullTimeoutMs);
    cache.set(image, found);
  }
  return found;
}

async function probe(image: string, pullTimeoutMs: number): Promise<GrafanaAvailability> {
  const docker = dockerClient();
  try {
    await docker.getImage(image).inspect();
    return { image };
  } catch {
    // Not present: try the registry, bounded in time.
  }
  try {
    const stream = await withTimeout(docker.pull(image), pullTimeoutMs);
    await withTimeout(
      new Promise<void>((resolve, reject) =>
        docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      ),
      pullTimeoutMs,
    );
    return { image };
  } catch (err) {
    const why = describe(err).split("\n")[0]!.slice(0, 160);
    return { skipped: `no Grafana image: ${image} is not present and could not be pulled (${why})` };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}
