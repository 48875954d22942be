import { readFileSync } from "node:fs";
import { parseProfile, type ProfileName } from "../config/profiles.ts";
import { catalogue } from "../mutants/catalogue.ts";
import type { Mutant } from "../mutants/mutant.ts";
import { describe, UserError } from "../util/errors.ts";
import { defaultLimits, limitViolations } from "./limits.ts";
import { parseSchedule, type Schedule } from "../faults/schedule.ts";

/** `firedrill explore`'s options, checked. */
export interface ExploreOptions {
  profile: ProfileName;
  /** The run's seed: given, or drawn (and then printed, so the run can be repeated). */
  seed: number;
  schedules: number;
  budgetMinutes: number;
  maxShrinkRuns: number;
  planOnly: boolean;
  json: boolean;
  /** `--replay FILE`: that one schedule instead of generated ones. */
  replay?: { file: string; schedule: Schedule };
  /** `--mutant ID`: a misconfiguration from the catalogue planted in every lab (to prove what explore finds). */
  mutant?: Mutant;
}

/**
 * Defaults: a schedule takes three to four minutes on 2 cores (lab up, up to 76 s of load, the
 * checks, lab down), so three of them and a shrinking of some twenty runs about fill half an hour;
 * twenty runs take a four-fault schedule down to the faults that matter (dropped, then shortened)
 * in most cases, and the budget stops it where they do not.
 */
export const exploreDefaults = {
  profile: "hardened",
  schedules: 3,
  budgetMinutes: 30,
  maxShrinkRuns: 20,
} as const;

const MAX_SEED = 2 ** 32 - 1;
const MAX_SCHEDULES = 1000;

/** A whole number from the command line, strictly digits (no "1e3", no "3.0"), within [min, max]. */
function whole(
  values: Record<string, unknown>,
  flag: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const text = String(raw);
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max))
    throw new UserError(`--${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

function minutes(values: Record<string, unknown>, fallback: number): number {
  const raw = values.budget;
  if (raw === undefined) return fallback;
  const text = String(raw);
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n > 0)) throw new UserError(`--budget must be a positive number of minutes, not "${text}"`);
  return n;
}

/**
 * The schedule in a `--replay` file, or a one-line UserError naming the file and what is wrong:
 * unreadable, not JSON, not a schedule (parseSchedule's words), or outside the explorer's limits
 * (which the shrinker needs it within).
 */
export function readReplay(file: string): Schedule {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`--replay ${file}: cannot be read: ${describe(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`--replay ${file}: not JSON: ${describe(err)}`);
  }
  let schedule: Schedule;
  try {
    schedule = parseSchedule(json);
  } catch (err) {
    throw new UserError(`--replay ${file}: ${describe(err)}`);
  }
  const broken = limitViolations(schedule, defaultLimits);
  if (broken.length > 0)
    throw new UserError(`--replay ${file}: the schedule breaks the explorer's limits: ${broken.join("; ")}`);
  return schedule;
}

/** The catalogue's mutant of that id, planted in the profile it belongs to, or a one-line UserError. */
export function readMutant(id: string, profile: ProfileName): Mutant {
  const m = catalogue.find((x) => x.id === id);
  if (!m) throw new UserError(`unknown mutant "${id}"; mutants: ${catalogue.map((x) => x.id).join(", ")}`);
  if (m.profile !== profile)
    throw new UserError(
      `mutant ${id} is a misconfiguration of the ${m.profile} profile: use --profile ${m.profile}`,
    );
  return m;
}

/** Every option checked, each mistake a one-line UserError (exit 2) before anything starts. */
export function parseExploreOptions(values: Record<string, unknown>, drawSeed: () => number): ExploreOptions {
  let profile: ProfileName;
  try {
    profile = parseProfile(String(values.profile ?? exploreDefaults.profile));
  } catch (err) {
    throw new UserError(describe(err));
  }
  const replayFile = values.replay === undefined ? undefined : String(values.replay);
  if (replayFile !== undefined && (values.seed !== undefined || values.schedules !== undefined))
    throw new UserError("--replay runs the one schedule of its file: --seed and --schedules do not apply");
  const common = {
    profile,
    schedules: whole(values, "schedules", 1, MAX_SCHEDULES, exploreDefaults.schedules),
    budgetMinutes: minutes(values, exploreDefaults.budgetMinutes),
    maxShrinkRuns: whole(values, "max-shrink-runs", 0, 1000, exploreDefaults.maxShrinkRuns),
    planOnly: Boolean(values["plan-only"]),
    json: Boolean(values.json),
    ...(values.mutant === undefined ? {} : { mutant: readMutant(String(values.mutant), profile) }),
  };
  if (replayFile !== undefined) {
    const schedule = readReplay(replayFile);
    return { ...common, schedules: 1, seed: schedule.seed, replay: { file: replayFile, schedule } };
  }
  const seed = values.seed === undefined ? drawSeed() : whole(values, "seed", 0, MAX_SEED, 0);
  return { ...common, seed };
}
