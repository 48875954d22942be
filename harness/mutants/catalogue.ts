import { drills } from "../drills/registry.ts";
import { parseProfile } from "../config/profiles.ts";
import { UserError } from "../util/errors.ts";
import { alertingMutants } from "./alerting-mutants.ts";
import { appMutants } from "./app-mutants.ts";
import { databaseMutants } from "./database-mutants.ts";
import { haproxyMutants } from "./haproxy-mutants.ts";
import type { Mutant } from "./mutant.ts";

/** Every mutant, by layer: HAProxy, the databases and their replication, alerting, the app. */
export const catalogue: readonly Mutant[] = [
  ...haproxyMutants,
  ...databaseMutants,
  ...alertingMutants,
  ...appMutants,
];

export interface Selection {
  /** Mutant ids (none: all). */
  ids?: readonly string[];
  drill?: string;
  profile?: string;
}

/**
 * The mutants to run, each with only the drills the selection keeps. Unknown names are a UserError
 * listing the valid ones (exit 2); so is a selection that matches nothing.
 */
export function selectMutants(sel: Selection, from: readonly Mutant[] = catalogue): Mutant[] {
  for (const id of sel.ids ?? [])
    if (!from.some((m) => m.id === id))
      throw new UserError(`unknown mutant "${id}"; mutants: ${from.map((m) => m.id).join(", ")}`);
  if (sel.drill !== undefined && !drills[sel.drill])
    throw new UserError(`unknown drill "${sel.drill}"; drills: ${Object.keys(drills).join(", ")}`);
  let profile: string | undefined;
  try {
    profile = sel.profile === undefined ? undefined : parseProfile(sel.profile);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const chosen = from
    .filter((m) => !sel.ids?.length || sel.ids.includes(m.id))
    .filter((m) => profile === undefined || m.profile === profile)
    .map((m) => (sel.drill ? { ...m, drills: m.drills.filter((d) => d.drill === sel.drill) } : m))
    .filter((m) => m.drills.length > 0);
  if (chosen.length === 0)
    throw new UserError(
      `no mutant matches ${[
        sel.ids?.length ? sel.ids.join(", ") : undefined,
        sel.drill ? `--drill ${sel.drill}` : undefined,
        profile ? `--profile ${profile}` : undefined,
      ]
        .filter(Boolean)
        .join(" ")}; see \`firedrill mutants --list\``,
    );
  return chosen;
}
