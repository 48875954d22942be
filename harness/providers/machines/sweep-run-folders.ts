import { readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type Docker from "dockerode";
import { LABEL_RUN } from "../../lab/labels.ts";

/**
 * Removes the private folders of runs whose machines are gone (a run killed before its `down`
 * leaves its key behind). Only folders older than ten minutes: a run starting right now has its
 * folder before its machines.
 */
export async function sweepRunFolders(docker: Docker, dir: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    // No folder: no run left anything.
    return;
  }
  for (const run of names) {
    const folder = path.join(dir, run);
    if (Date.now() - statSync(folder).mtimeMs < 600_000) continue;
    const left = await docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`${LABEL_RUN}=${run}`] }),
    });
    if (left.length === 0) rmSync(folder, { recursive: true, force: true });
  }
}
