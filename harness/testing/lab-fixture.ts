import type { ProfileName } from "../config/profiles.ts";
import type { Lab } from "../lab/lab.ts";
import { startLab } from "../lab/start-lab.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";

/** A lab for one test file. The global setup already built images, so this is the warm path. */
export function startTestLab(profile: ProfileName): Promise<Lab> {
  return startLab({
    profile,
    settings: resolveSettings(),
    progress: stderrProgress({ prefix: `lab ${profile}` }),
  });
}
