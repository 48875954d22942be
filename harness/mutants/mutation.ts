import type { ClusterConfig } from "../config/cluster-config.ts";
import type { Profile } from "../config/profiles.ts";

/**
 * A realistic misconfiguration planted in a profile before its lab comes up: the rendered
 * configuration rewritten, the harness-side profile settings changed, or files of a service
 * replaced (e.g. one app module). The provider applies it; a drill never knows it is there.
 */
export interface Mutation {
  /** Rewrites the rendered configuration (haproxy.cfg, mariadb.cnf per node, rules, alertmanager.yml). */
  config?: (c: ClusterConfig) => ClusterConfig;
  /** Rewrites the harness-side settings of the profile (replication retry, exporter grants, app env). */
  profile?: (p: Profile) => Profile;
  /** Files placed into a service's container before it starts, by topology alias and absolute path. */
  files?: readonly { alias: string; path: string; content: string }[];
}
