import type { ProfileName } from "../config/profiles.ts";
import { ensureEngine } from "../engine/engine-bootstrap.ts";
import { ensureImages, ensureMachineImage } from "../images/build-images.ts";
import type { Progress } from "../progress/progress.ts";
import { attachExistingLab } from "./existing/existing-provider.ts";
import { upMachinesLab } from "./machines/machines-provider.ts";
import { upTestcontainersLab } from "./testcontainers/testcontainers-provider.ts";
import { upVagrantLab } from "./vagrant/vagrant-provider.ts";
import type { Settings } from "../settings/settings.ts";
import { labImages } from "../topology/topology.ts";
import { ProviderUnavailableError, type Lab, refuseMutation } from "../lab/lab.ts";
import { LabStateStore } from "../lab/lab-state.ts";
import { LABEL_RUN } from "../lab/labels.ts";
import { reapAbandoned, removeLabeledSettled } from "../lab/reaper.ts";
import { newRunId } from "../lab/run-id.ts";
import { onInterrupt } from "../lab/signal-cleanup.ts";
import { type Mutation } from "../config/mutation.ts";

export interface StartLabOptions {
  profile: ProfileName;
  settings: Settings;
  progress: Progress;
  runId?: string;
  /** A planted misconfiguration (`firedrill mutants`); only providers that build the lab can plant it. */
  mutation?: Mutation;
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
  mutation,
}: StartLabOptions): Promise<Lab> {
  // The provider (FIREDRILL_PROVIDER, or --provider): a drill never knows which one it runs on.
  if (settings.provider === "existing") {
    // A mutation is refused before the lab file is looked for: the answer would be no either way.
    if (mutation) refuseMutation("existing");
    if (!settings.inventory)
      throw new ProviderUnavailableError("existing", "FIREDRILL_INVENTORY names no lab file to attach to");
    const lab = await attachExistingLab(settings.inventory, { progress });
    // A drill judges a profile by what it expects of it: against the other profile its verdict would lie.
    if (lab.profile !== profile)
      throw new ProviderUnavailableError(
        "existing",
        `the lab in ${settings.inventory} runs the ${lab.profile} profile, not ${profile}`,
      );
    return lab;
  }
  if (settings.provider === "machines") {
    // The provider wires its own Ctrl-C cleanup (machines, network, the run's key).
    return upMachinesLab({
      runId,
      profile,
      clusterDir: settings.clusterDir,
      stateDir: settings.stateDir,
      progress,
      images: async () => {
        const { tags } = await prepareEngineAndImages(settings, progress);
        const machine = await ensureMachineImage(settings.clusterDir, progress);
        return { lab: tags, machine: machine.tag };
      },
      mutation,
    });
  }
  if (settings.provider === "vagrant") {
    return upVagrantLab({
      clusterDir: settings.clusterDir,
      provider: settings.vagrantProvider,
      runId,
      profile,
      progress,
      images: async () => (await prepareEngineAndImages(settings, progress)).tags,
      mutation,
    });
  }
  const { tags } = await prepareEngineAndImages(settings, progress);
  const forget = onInterrupt(() => removeLabeledSettled([`${LABEL_RUN}=${runId}`]));
  try {
    const lab = await upTestcontainersLab({
      runId,
      profile,
      images: tags,
      clusterDir: settings.clusterDir,
      progress,
      grafanaImage: settings.grafanaImage,
      mutation,
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
