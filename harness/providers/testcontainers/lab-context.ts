import type { StartedTestContainer } from "testcontainers";
import type { ClusterConfig } from "../../config/cluster-config.ts";
import type { Mutation } from "../../config/mutation.ts";
import type { Profile, ProfileName } from "../../config/profiles.ts";
import type { ImageTags } from "../../images/build-images.ts";
import type { Progress } from "../../progress/progress.ts";
import type { NodeName } from "../../topology/topology.ts";

export interface UpOptions {
  runId: string;
  profile: ProfileName;
  images: ImageTags;
  clusterDir: string;
  progress: Progress;
  /** Grafana's image; started on control1 when present or pullable, else its slot is skipped. */
  grafanaImage?: string;
  /** A planted misconfiguration (`firedrill mutants`): applied to the configuration, the profile and the files. */
  mutation?: Mutation;
}

/** The lab's credentials, fresh for every run. */
export interface Secrets {
  djangoSecret: string;
  dbRoot: Record<NodeName, string>;
  appUser: string;
  appPassword: string;
  repl: { user: string; password: string };
  exporter: { user: string; password: string };
  stats: { user: string; password: string };
  grafanaAdmin: string;
}

/** The app's database, on both nodes. */
export const DATABASE = "todo";

/** What every container start of one lab shares. */
export interface Ctx {
  opts: UpOptions;
  labels: Record<string, string>;
  networkName: string;
  started: Map<string, StartedTestContainer>;
  config: ClusterConfig;
  /** The profile's harness-side settings as this lab uses them (a mutation may have changed them). */
  profile: Profile;
  secrets: Secrets;
  /** Files a mutation places into services' containers, by alias. */
  files: ReadonlyMap<string, readonly { path: string; content: string }[]>;
}
