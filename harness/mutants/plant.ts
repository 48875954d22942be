import { isDeepStrictEqual } from "node:util";
import { loadClusterConfig, type ClusterConfig } from "../config/cluster-config.ts";
import { profiles, type Profile } from "../config/profiles.ts";
import { ALERTMANAGER_WEBHOOK_URL } from "../providers/testcontainers/testcontainers-provider.ts";
import { plantedFiles, type Mutation } from "../config/mutation.ts";
import type { Mutant } from "./mutant.ts";

/** What a mutant changes, worked out without a lab: the configuration and profile before and after, and its files. */
export interface PlantedMutant {
  mutation: Mutation;
  original: { config: ClusterConfig; profile: Profile };
  mutated: { config: ClusterConfig; profile: Profile };
  files: NonNullable<Mutation["files"]>;
  /** Which parts differ: "haproxy", "mariadb", "rules", "alertmanager", "prometheus", "profile", "files". */
  changed: string[];
}

/**
 * Applies a mutant as the provider will (the configuration rendered as the testcontainers lab renders
 * it), so a missing anchor throws here, before any lab starts. A mutant that changes nothing throws
 * too: it would be reported killed or survived for nothing.
 */
export function plant(m: Mutant, clusterDir: string): PlantedMutant {
  const mutation = m.mutation(clusterDir);
  const config = loadClusterConfig(clusterDir, m.profile, { webhookUrl: ALERTMANAGER_WEBHOOK_URL });
  const profile = profiles[m.profile];
  const mutated = {
    config: mutation.config ? mutation.config(config) : config,
    profile: mutation.profile ? mutation.profile(profile) : profile,
  };
  plantedFiles(mutation);
  const files = mutation.files ?? [];
  const changed = [
    ...(["haproxy", "mariadb", "prometheus", "rules", "alertmanager"] as const).filter(
      (k) => !isDeepStrictEqual(config[k], mutated.config[k]),
    ),
    ...(isDeepStrictEqual(profile, mutated.profile) ? [] : ["profile"]),
    ...(files.length ? ["files"] : []),
  ];
  if (changed.length === 0) throw new Error(`mutant ${m.id} changes nothing`);
  return { mutation, original: { config, profile }, mutated, files, changed };
}
