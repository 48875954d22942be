import type { ProfileName } from "../config/profiles.ts";
import { ensureEngine } from "../engine/engine-bootstrap.ts";
import { ensureImages } from "../images/build-images.ts";
import type { Progress } from "../progress/progress.ts";
import { upTestcontainersLab } from "../providers/testcontainers/testcontainers-provider.ts";
import type { Settings } from "../settings/settings.ts";
import { labImages } from "../topology/topology.ts";
import type { Lab } from "./lab.ts";
import { LabStateStore } from "./lab-state.ts";
import { LABEL_RUN } from "./labels.ts";
import { reapAbandoned, removeLabeled } from "./reaper.ts";
import { newRunId } from "./run-id.ts";
import { onInterrupt } from "./signal-cleanup.ts";

export interface StartLabOptions {
  profile: ProfileName;
  settings: Settings;
  progress: Progress;
  runId?: string;
}

/** Engine, leftovers, images, then the lab. Ctrl-C at any point removes what this run started. */
export async function prepareEngineAndImages(settings: Settings, progress: Progress) {
  await ensureEngine(progress, settings.dockerdLog);
  const store = new LabStateStore(settings.stateDir);
  await reapAbandoned((run) => store.has(run), progress);
  return ensureImages(settings.clusterDir, labImages, progress);
}

export async function startLab({
  profile,
  settings,
  progress,
  runId = newRunId(),
}: StartLabOptions): Promise<Lab> {
  const { tags } = await prepareEngineAndImages(settings, progress);
  const forget = onInterrupt(() => removeLabeled([`${LABEL_RUN}=${runId}`]));
  try {
    const lab = await upTestcontainersLab({
      runId,
      profile,
      images: tags,
      clusterDir: settings.clusterDir,
      progress,
      grafanaImage: settings.grafanaImage,
    });
    const down = lab.down;
    return Object.assign(lab, {
      down: async () => {
        try {
          await down();
        } finally {
          forget();
        }
      },
    });
  } catch (err) {
    forget();
    throw err;
  }
}
