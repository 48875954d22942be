import { z } from "zod";

/** `environment.json` of a drill: what ran, on what, so a reader can tell two runs apart. */
export const DrillEnvironmentSchema = z.object({
  labRunId: z.string(),
  profile: z.string(),
  startedAt: z.string(),
  images: z.array(
    z.object({
      alias: z.string(),
      image: z.string(),
      imageId: z.string().nullable(),
      repoDigests: z.array(z.string()),
    }),
  ),
  versions: z.object({
    firedrill: z.string(),
    node: z.string(),
    dockerEngine: z.string().nullable(),
    gitCommit: z.string().nullable(),
  }),
  /** The workload's randomness: there is no seed to replay (it draws from Math.random). */
  seed: z.string(),
  machine: z.object({
    platform: z.string(),
    release: z.string(),
    arch: z.string(),
    cpus: z.number(),
    cpuModel: z.string(),
    memoryGiB: z.number(),
  }),
  grafana: z.string(),
  /**
   * Seed labs only: how far the seed profile is from the original stack, from
   * cluster/config/seed/FIDELITY.md as it was at the run ("…: N of M settings differ …").
   */
  fidelity: z.string().optional(),
  /** What the user changed of the drill from the CLI (`--rate`, `--duration`). */
  overrides: z.object({ rate: z.number().optional(), faultSeconds: z.number().optional() }),
  /** What could not be found out, and why (never silently missing). */
  unknown: z.array(z.string()),
});
export type DrillEnvironment = z.infer<typeof DrillEnvironmentSchema>;

/** metrics/prometheus.json: what the lab's Prometheus saw during the drill. */
export const MetricSnapshotSchema = z.object({
  prometheus: z.string(),
  start: z.string(),
  end: z.string(),
  stepSeconds: z.number(),
  series: z.record(
    z.string(),
    z.object({
      query: z.string(),
      result: z
        .array(
          z.object({
            metric: z.record(z.string(), z.string()),
            values: z.array(z.tuple([z.number(), z.string()])),
          }),
        )
        .optional(),
      error: z.string().optional(),
    }),
  ),
});
export type MetricSnapshot = z.infer<typeof MetricSnapshotSchema>;
