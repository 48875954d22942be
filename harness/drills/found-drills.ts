import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { DrillSpec } from "./spec.ts";
import { describeIssues } from "../util/zod-issues.ts";
import { scheduleSpec } from "./schedules/schedule-spec.ts";
import { parseSchedule } from "../faults/schedule.ts";

/**
 * Schedules `firedrill explore` found failing and shrank, kept as drills: `found/<id>.json` is the
 * drill `<id>`, run by `firedrill run <id>` and `pnpm test:scenarios` like any scripted drill, judged
 * by the same invariants the explorer judged it by. A minimal schedule from a run's report folder
 * (`minimal-<seed>.json`) becomes one by wrapping it with a title and why it is worth keeping.
 */
export const FOUND_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "found");

const FoundFile = z.strictObject({
  title: z.string().min(1),
  /** What the schedule shows and how it was found (the seed, the mutant). */
  why: z.string().min(1),
  schedule: z.unknown(),
});

/** One found schedule as a drill; throws a one-line Error naming the file when it is malformed. */
export function foundDrill(id: string, text: string, where: string): DrillSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not JSON: ${(err as Error).message}`);
  }
  const r = FoundFile.safeParse(json);
  if (!r.success) throw new Error(`${where}: ${describeIssues(r.error)}`);
  let schedule;
  try {
    schedule = parseSchedule(r.data.schedule);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
  return scheduleSpec(schedule, { id, title: r.data.title });
}

/** Every `found/*.json`, by file name. */
export function foundDrills(dir = FOUND_DIR): DrillSpec[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => foundDrill(f.slice(0, -".json".length), readFileSync(path.join(dir, f), "utf8"), f));
}
