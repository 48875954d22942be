import { rmSync } from "node:fs";
import path from "node:path";
import { dockerClient } from "../../engine/docker-client.ts";
import { ensureEngine } from "../../engine/engine-bootstrap.ts";
import { LabStateStore } from "../../lab/lab-state.ts";
import { LABEL_FIREDRILL } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import { removeCacheVolumes } from "../../providers/machines/machine-cache-volumes.ts";
import type { CommandContext } from "../command-context.ts";

export async function downCommand(
  values: Record<string, unknown>,
  { settings, progress }: CommandContext,
): Promise<number> {
  await ensureEngine(progress, settings.dockerdLog);
  const removed = await removeLabeled([`${LABEL_FIREDRILL}=1`], progress);
  const store = new LabStateStore(settings.stateDir);
  for (const lab of store.list()) store.remove(lab.runId);
  // The machines labs' private folders (their SSH keys): their machines are gone with the rest.
  rmSync(path.join(settings.stateDir, "machines"), { recursive: true, force: true });
  progress.step(`removed ${removed.containers} containers and ${removed.networks} networks`);
  if (values.cache) {
    // Only now: a volume is removable once the machine that mounted it is gone.
    const caches = await removeCacheVolumes(dockerClient());
    progress.step(
      `removed ${caches.removed.length} machine image caches${caches.inUse.length ? `; still in use: ${caches.inUse.join(", ")}` : ""}`,
    );
  }
  return 0;
}
