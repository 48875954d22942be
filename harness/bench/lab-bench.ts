/**
 * `pnpm bench:lab`: times cold lab-up (no images: base and service images removed first), warm lab-up
 * (images cached) and down. Prints each figure's runs and median. A benchmark, not a test: it never
 * fails on a slow machine. Options: --cold-runs N (default 1), --warm-runs N (default 3), --profile P,
 * --provider testcontainers|machines (default FIREDRILL_PROVIDER, else testcontainers).
 *
 * With `--provider machines`, cold means no machine image caches (every cache volume no machine uses
 * is removed first, so each machine's engine loads all its images); the images are built here as
 * usual beforehand (building them is the testcontainers cold figure). Warm: the caches hold them.
 */
import { parseArgs } from "node:util";
import { parseProfile } from "../config/profiles.ts";
import { dockerClient } from "../engine/docker-client.ts";
import { ensureEngine } from "../engine/engine-bootstrap.ts";
import { ensureMachineImage } from "../images/build-images.ts";
import { prepareEngineAndImages, startLab } from "../providers/start-lab.ts";
import { stderrProgress } from "../progress/progress.ts";
import { removeCacheVolumes } from "../providers/machines/machine-cache-volumes.ts";
import { resolveSettings, withProvider } from "../settings/settings.ts";

const { values } = parseArgs({
  options: {
    "cold-runs": { type: "string" },
    "warm-runs": { type: "string" },
    profile: { type: "string" },
    provider: { type: "string" },
  },
  strict: true,
});
const coldRuns = Number(values["cold-runs"] ?? 1);
const warmRuns = Number(values["warm-runs"] ?? 3);
const profile = parseProfile(values.profile ?? "hardened");
const settings = withProvider(resolveSettings(), values.provider);
const machines = settings.provider === "machines";
if (settings.provider !== "testcontainers" && !machines)
  throw new Error(`bench:lab times the testcontainers and machines providers, not ${settings.provider}`);
const progress = stderrProgress({ prefix: "bench" });

async function removeFiredrillImages(): Promise<void> {
  const docker = dockerClient();
  const images = await docker.listImages();
  for (const img of images) {
    if ((img.RepoTags ?? []).some((t) => t.startsWith("firedrill/"))) {
      await docker.getImage(img.Id).remove({ force: true });
    }
  }
  await docker.pruneImages({ filters: JSON.stringify({ dangling: ["false"] }) }).catch(() => undefined);
}

async function timeUpDown(): Promise<{ up: number; down: number }> {
  const t0 = performance.now();
  const lab = await startLab({ profile, settings, progress });
  const up = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await lab.down();
  return { up, down: (performance.now() - t1) / 1000 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

await ensureEngine(progress, settings.dockerdLog);
if (machines) {
  // Built here first, outside the timings: the machines' figures are about the machines.
  await prepareEngineAndImages(settings, progress);
  await ensureMachineImage(settings.clusterDir, progress);
}
const cold: number[] = [];
const warm: number[] = [];
const down: number[] = [];
for (let i = 0; i < coldRuns; i++) {
  if (machines) {
    progress.step(`cold run ${i + 1}/${coldRuns}: removing the machines' image caches`);
    const { removed, inUse } = await removeCacheVolumes(dockerClient());
    progress.detail(
      `removed ${removed.length}${inUse.length ? `; in use by another lab: ${inUse.join(", ")}` : ""}`,
    );
  } else {
    progress.step(`cold run ${i + 1}/${coldRuns}: removing every firedrill image`);
    await removeFiredrillImages();
  }
  const r = await timeUpDown();
  cold.push(r.up);
  down.push(r.down);
}
for (let i = 0; i < warmRuns; i++) {
  progress.step(`warm run ${i + 1}/${warmRuns}`);
  const r = await timeUpDown();
  warm.push(r.up);
  down.push(r.down);
}
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(1)} s  (runs: ${xs.map((x) => x.toFixed(1)).join(", ")})`;
process.stdout.write(
  [
    `lab bench, provider ${settings.provider}, profile ${profile}`,
    machines
      ? `cold up (no caches):  ${fmt(cold)}   target < 300 s`
      : `cold up (no images):  ${fmt(cold)}   target < 240 s`,
    `warm up (cached):     ${fmt(warm)}   target < ${machines ? 45 : 20} s`,
    `down:                 ${fmt(down)}`,
    "",
  ].join("\n"),
);
