import { dockerClient } from "../../engine/docker-client.ts";
import { ensureEngine } from "../../engine/engine-bootstrap.ts";
import { ensureImages } from "../../images/build-images.ts";
import { removeCacheVolumes } from "../../providers/machines/machine-cache-volumes.ts";
import { labImages } from "../../topology/topology.ts";
import type { CommandContext } from "../command-context.ts";

export async function imagesCommand(
  values: Record<string, unknown>,
  { settings, progress }: CommandContext,
): Promise<number> {
  await ensureEngine(progress, settings.dockerdLog);
  const { results } = await ensureImages(settings.clusterDir, labImages, progress);
  if (values.prune) {
    // The machines' engines keep their own copies of the images; a running machines lab keeps its own.
    const caches = await removeCacheVolumes(dockerClient());
    progress.step(
      `removed ${caches.removed.length} machine image caches${caches.inUse.length ? `; kept, in use: ${caches.inUse.join(", ")}` : ""}`,
    );
  }
  progress.close?.();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const r of results) {
      process.stdout.write(
        `${r.tag.padEnd(44)} ${r.built ? `built in ${r.seconds.toFixed(1)} s` : "up to date"}\n`,
      );
    }
  }
  return 0;
}
