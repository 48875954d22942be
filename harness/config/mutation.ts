import type { ClusterConfig } from "./cluster-config.ts";
import type { Profile } from "./profiles.ts";
import { service } from "../topology/topology.ts";

/**
 * A realistic misconfiguration planted in a profile before its lab comes up: the rendered
 * configuration rewritten, the harness-side profile settings changed, or files of a service
 * replaced (e.g. one app module). The provider applies it; a drill never knows it is there.
 */
export interface Mutation {
  /** Said in the lab's progress, so a log shows what was planted (the mutant's id). */
  name?: string;
  /** Rewrites the rendered configuration (haproxy.cfg, mariadb.cnf per node, rules, alertmanager.yml). */
  config?: (c: ClusterConfig) => ClusterConfig;
  /** Rewrites the harness-side settings of the profile (replication retry, exporter grants, app env). */
  profile?: (p: Profile) => Profile;
  /** Files placed into a service's container before it starts, by topology alias and absolute path. */
  files?: readonly { alias: string; path: string; content: string }[];
}

/** One line for progress: the mutation's name and what it touches. */
export function describeMutation(m: Mutation): string {
  const parts = [
    m.config ? "configuration" : undefined,
    m.profile ? "profile settings" : undefined,
    ...(m.files ?? []).map((f) => `${f.alias}:${f.path}`),
  ].filter(Boolean);
  return `${m.name ?? "unnamed"} (${parts.join(", ") || "nothing"})`;
}

/**
 * The planted files grouped by service. A file for a service the topology does not have, or at a
 * relative path, is refused: it would be planted nowhere and the mutant would silently not mutate.
 */
export function plantedFiles(
  m: Mutation | undefined,
): ReadonlyMap<string, readonly { path: string; content: string }[]> {
  const byAlias = new Map<string, { path: string; content: string }[]>();
  for (const f of m?.files ?? []) {
    const spec = service(f.alias);
    if (!spec.image)
      throw new Error(`mutation ${m?.name ?? ""}: ${f.alias} has no image to plant ${f.path} in`);
    if (!f.path.startsWith("/"))
      throw new Error(`mutation ${m?.name ?? ""}: ${f.path} is not an absolute path`);
    byAlias.set(f.alias, [...(byAlias.get(f.alias) ?? []), { path: f.path, content: f.content }]);
  }
  return byAlias;
}
