import type { ClusterConfig } from "../config/cluster-config.ts";
import type { Mutation } from "../config/mutation.ts";
import type { Profile } from "../config/profiles.ts";
import type { NodeName } from "../topology/topology.ts";
import type { Mutant } from "./mutant.ts";
import { appFile, editMariadb, editRule, replaceOnce } from "./text-edit.ts";

// Most mutants are one anchored edit of one file: these builders write that edit once, so a catalogue
// entry says only what is particular to it (its mistake, its anchor, the drills it must break).

/** What a mutant says about itself; a builder adds its mutation. */
export type MutantCard = Omit<Mutant, "mutation">;

/** One anchored edit: the anchor (it must stand exactly once in its text) and what replaces it. */
export type Edit = readonly [anchor: string | RegExp, replacement: string];

/** The mutant with its mutation, named by the mutant's id (the lab's progress shows that name). */
function withMutation(card: MutantCard, mutation: (clusterDir: string) => Omit<Mutation, "name">): Mutant {
  return { ...card, mutation: (clusterDir) => ({ name: card.id, ...mutation(clusterDir) }) };
}

/** Rewrites the rendered configuration. */
export function configMutant(card: MutantCard, config: (c: ClusterConfig) => ClusterConfig): Mutant {
  return withMutation(card, () => ({ config }));
}

/** Rewrites one alert rule's block, in whichever rule file holds it (see editRule). */
export function ruleMutant(
  card: MutantCard,
  alert: string,
  edit: (block: string, where: string) => string,
): Mutant {
  return configMutant(card, (c) => ({ ...c, rules: editRule(c.rules, alert, edit) }));
}

/** One anchored edit in one alert rule's block (its `expr:`, its `for:`). */
export function ruleEditMutant(card: MutantCard, alert: string, [anchor, replacement]: Edit): Mutant {
  return ruleMutant(card, alert, (block, where) => replaceOnce(block, anchor, replacement, where));
}

/** Anchored edits of haproxy.cfg, made in order. */
export function haproxyMutant(card: MutantCard, ...edits: Edit[]): Mutant {
  return configMutant(card, (c) => ({
    ...c,
    haproxy: edits.reduce(
      (text, [anchor, replacement]) => replaceOnce(text, anchor, replacement, "haproxy.cfg"),
      c.haproxy,
    ),
  }));
}

/** One anchored edit of alertmanager.yml. */
export function alertmanagerMutant(card: MutantCard, [anchor, replacement]: Edit): Mutant {
  return configMutant(card, (c) => ({
    ...c,
    alertmanager: replaceOnce(c.alertmanager, anchor, replacement, "alertmanager.yml"),
  }));
}

/** One anchored edit of every node's mariadb.cnf, or of `only` that node's. */
export function mariadbMutant(card: MutantCard, [anchor, replacement]: Edit, only?: NodeName): Mutant {
  return configMutant(card, (c) =>
    editMariadb(c, (text, where) => replaceOnce(text, anchor, replacement, where), only),
  );
}

/** Rewrites the harness-side settings of the profile. */
export function profileMutant(card: MutantCard, profile: (p: Profile) => Profile): Mutant {
  return withMutation(card, () => ({ profile }));
}

/** One anchored edit of one app module (path under `cluster/app/`), planted into both nodes' apps. */
export function appMutant(card: MutantCard, relPath: string, [anchor, replacement]: Edit): Mutant {
  return withMutation(card, (clusterDir) => ({
    files: appFile(clusterDir, relPath, (text, where) => replaceOnce(text, anchor, replacement, where)),
  }));
}
