import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readFidelitySummary } from "../config/seed-fidelity.ts";
import type { LoadOverrides } from "../settings/load-overrides.ts";
import { dockerClient } from "../engine/docker-client.ts";
import type { Lab } from "../lab/lab.ts";
import { topology } from "../topology/topology.ts";
import { describe } from "../util/errors.ts";
import { runChecked } from "../util/run.ts";
import type { DrillEnvironment } from "../store/environment.ts";

/** Asks the engine about the lab's containers and images; each failed question is noted, not thrown. */
export async function collectEnvironment(
  lab: Lab,
  o: { repoRoot: string; overrides: LoadOverrides; grafanaSkipped: string | undefined },
): Promise<DrillEnvironment> {
  const unknown: string[] = [];
  const images: DrillEnvironment["images"] = [];
  for (const s of topology) {
    if (!s.image) continue;
    try {
      const info = await lab.container(s.alias).inspect();
      const image = await dockerClient()
        .getImage(info.Image)
        .inspect()
        .catch(() => undefined);
      images.push({
        alias: s.alias,
        image: info.Config.Image,
        imageId: info.Image ?? null,
        repoDigests: image?.RepoDigests ?? [],
      });
    } catch (err) {
      unknown.push(`${s.alias}: ${describe(err)}`);
    }
  }
  const dockerEngine = await dockerClient()
    .version()
    .then((v) => v.Version)
    .catch((err: unknown) => {
      unknown.push(`docker version: ${describe(err)}`);
      return null;
    });
  const gitCommit = await runChecked(["git", "rev-parse", "HEAD"], { cwd: o.repoRoot, timeoutMs: 5000 })
    .then((r) => r.stdout.trim())
    .catch((err: unknown) => {
      unknown.push(`git commit: ${describe(err).split("\n")[0]}`);
      return null;
    });
  let fidelity: string | undefined;
  if (lab.profile === "seed") {
    try {
      fidelity = readFidelitySummary(o.repoRoot);
    } catch (err) {
      unknown.push(`seed fidelity: ${describe(err).split("\n")[0]}`);
    }
  }
  const pkg = JSON.parse(readFileSync(path.join(o.repoRoot, "package.json"), "utf8")) as { version: string };
  const cpus = os.cpus();
  return {
    labRunId: lab.runId,
    profile: lab.profile,
    startedAt: new Date().toISOString(),
    images,
    versions: { firedrill: pkg.version, node: process.version, dockerEngine, gitCommit },
    seed: "none: the workload draws from Math.random, so a run cannot be replayed operation for operation",
    machine: {
      platform: os.platform(),
      release: os.release(),
      arch: os.arch(),
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? "unknown",
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    },
    grafana: o.grafanaSkipped ? `skipped: ${o.grafanaSkipped}` : "running",
    ...(fidelity !== undefined ? { fidelity } : {}),
    overrides: o.overrides,
    unknown,
  };
}
