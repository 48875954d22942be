import { ensureHostTools, UNIT_TOOLS } from "../engine/host-tools.ts";
import { stderrProgress } from "../progress/progress.ts";

/**
 * The unit project's global setup: the host tools its tests drive (chromium, ansible, ansible-lint,
 * vagrant). With all of them here it only looks (PATH and file checks, no subprocess); a missing one
 * is installed with apt-get as root or through `sudo -n`, or named with what to install, and its tests
 * are then reported skipped with the reason (harness/engine/host-tools.ts).
 */
export default async function setup(): Promise<void> {
  await ensureHostTools(UNIT_TOOLS, stderrProgress({ prefix: "firedrill setup" }));
}
