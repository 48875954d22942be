import type { Progress } from "../progress/progress.ts";
import type { Settings } from "../settings/settings.ts";

export interface CommandContext {
  settings: Settings;
  progress: Progress;
  env: NodeJS.ProcessEnv;
}
