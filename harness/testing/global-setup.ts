import { prepareEngineAndImages } from "../lab/start-lab.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";

/**
 * Runs once per vitest invocation, in the main process: starts the engine where allowed, reaps labs
 * left by killed runs, and builds missing images (progress on stderr), before any worker starts a lab.
 */
export default async function setup(): Promise<void> {
  await prepareEngineAndImages(resolveSettings(), stderrProgress({ prefix: "firedrill setup" }));
}
