import { ensureImages, type ImageTags } from "../images/build-images.ts";
import { silentProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";
import { labImages } from "../topology/topology.ts";

/** Tags of the lab images; the global setup built them, so this only hashes and looks them up. */
export async function imageTags(): Promise<ImageTags> {
  return (await ensureImages(resolveSettings().clusterDir, labImages, silentProgress)).tags;
}
