/**
 * `pnpm bench:lab`: times cold lab-up (no images: base and service images removed first), warm lab-up
 * (images cached) and down. Prints each figure's runs and median. A benchmark, not a test: it never
 * fails on a slow machine. Options: --cold-runs N (default 1), --warm-runs N (default 3), --profile P.
 */
import { parseArgs } from "node:util";
import { parseProfile } from "../config/profiles.ts";
import { dockerClient } from "../engine/docker-client.ts";
import { ensureEngine } from "../engine/engine-bootstrap.ts";
import { startLab } from "../lab/start-lab.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";

const { values } = parseArgs({
  options: { "cold-runs": { type: "string" }, "warm-runs": { type: "string" }, profile: { type: "string" } },
  strict: true,
});
const coldRuns = Number(values["cold-runs"] ?? 1);
const warmRuns = Number(values["warm-runs"] ?? 3);
const profile = parseProfile(values.profile ?? "hardened");
const settings = resolveSettings();
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
const cold: number[] = [];
const warm: number[] = [];
const down: number[] = [];
for (let i = 0; i < coldRuns; i++) {
  progress.step(`cold run ${i + 1}/${coldRuns}: removing every firedrill image`);
  await removeFiredrillImages();
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
    `lab bench, profile ${profile}`,
    `cold up (no images):  ${fmt(cold)}   target < 240 s`,
    `warm up (cached):     ${fmt(warm)}   target < 20 s`,
    `down:                 ${fmt(down)}`,
    "",
  ].join("\n"),
);
