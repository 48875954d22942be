import { ensureHostTools, INTEGRATION_TOOLS } from "../engine/host-tools.ts";
import { prepareEngineAndImages } from "../providers/start-lab.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";

/**
 * Runs once per vitest invocation, in the main process: installs the host tools the integration tests
 * drive where it may (Ansible with the Docker SDK, ssh, ssh-keygen, the docker CLI; see
 * harness/engine/host-tools.ts), starts the engine where allowed, reaps labs left by killed runs, and
 * builds missing images (progress on stderr), before any worker starts a lab.
 */
export default async function setup(): Promise<void> {
  const progress = stderrProgress({ prefix: "firedrill setup" });
  // Before the engine: where docker.io is missing with the rest, one `apt-get update` serves both.
  await ensureHostTools(INTEGRATION_TOOLS, progress);
  await prepareEngineAndImages(resolveSettings(), progress);
}
