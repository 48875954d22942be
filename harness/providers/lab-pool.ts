import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ProfileName } from "../config/profiles.ts";
import { LabFile } from "./existing/lab-file.ts";
import type { Progress } from "../progress/progress.ts";
import type { Settings } from "../settings/settings.ts";
import { serverNames } from "../topology/topology.ts";
import type { Lab } from "../lab/lab.ts";
import { startLab } from "./start-lab.ts";

/**
 * The lab file through which a worker attaches to a lab on this machine's engine (the `existing`
 * provider's format): endpoints with their credentials, every server on the local engine.
 */
export function labFileOf(lab: Lab): LabFile {
  // Every endpoint of a lab on this machine is on loopback; the lab file's schema checks it on read.
  return LabFile.parse({
    runId: lab.runId,
    profile: lab.profile,
    networkName: lab.networkName,
    netadminImage: lab.netadminImage,
    servers: Object.fromEntries(
      serverNames.map((s) => [s, { engine: "local" as const }]),
    ) as LabFile["servers"],
    endpoints: lab.endpoints,
  });
}

export interface LabPool {
  /** Each profile's lab file (mode 0600): drills attach to it instead of bringing a lab up. */
  files: Partial<Record<ProfileName, string>>;
  /** Removes every lab of the pool; idempotent. */
  down(): Promise<void>;
}

/**
 * One lab per profile for a whole run of drills, brought up side by side: a drill attaches to its
 * profile's lab, checks it is clean before it starts (harness/lab/lab-clean.ts) and leaves it clean
 * (its steady state after the heal), instead of paying a lab's start and stop each time. Only labs
 * on this machine's engine are pooled: a lab of servers (machines, VMs) keeps its server access,
 * which a lab file cannot carry.
 */
export async function startLabPool(
  profiles: readonly ProfileName[],
  o: { settings: Settings; progress: (profile: ProfileName) => Progress; dir: string },
): Promise<LabPool> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const labs: Lab[] = [];
  const files: LabPool["files"] = {};
  const down = async () => {
    await Promise.allSettled(labs.map((l) => l.down()));
  };
  const started = await Promise.allSettled(
    profiles.map(async (profile) => {
      const lab = await startLab({ profile, settings: o.settings, progress: o.progress(profile) });
      labs.push(lab);
      const file = path.join(o.dir, `${profile}.json`);
      writeFileSync(file, `${JSON.stringify(labFileOf(lab))}\n`, { mode: 0o600 });
      files[profile] = file;
    }),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await down();
    throw failed.reason;
  }
  return { files, down };
}
