import os from "node:os";

/** Every container and network a run creates carries these, so `down` and the reaper can find them. */
export const LABEL_FIREDRILL = "firedrill";
export const LABEL_RUN = "firedrill.run";
export const LABEL_PID = "firedrill.pid";
export const LABEL_HOST = "firedrill.host";
export const LABEL_ROLE = "firedrill.role";
export const LABEL_SERVER = "firedrill.server";
export const LABEL_PROFILE = "firedrill.profile";

export function runLabels(runId: string, profile: string): Record<string, string> {
  return {
    [LABEL_FIREDRILL]: "1",
    [LABEL_RUN]: runId,
    [LABEL_PID]: String(process.pid),
    [LABEL_HOST]: os.hostname(),
    [LABEL_PROFILE]: profile,
  };
}
