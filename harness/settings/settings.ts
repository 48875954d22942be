import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Everything the harness reads from the environment, resolved in one place (env is passed in, so it is testable). */
export interface Settings {
  readonly repoRoot: string;
  readonly clusterDir: string;
  readonly reportsDir: string;
  /** Where `up` records the labs it leaves running (credentials included, mode 0600). */
  readonly stateDir: string;
  /** Where a dockerd started by firedrill writes its log. */
  readonly dockerdLog: string;
  readonly ci: boolean;
  /** Emit plain progress lines even on a TTY. */
  readonly plainProgress: boolean;
  /** Grafana's image (pinned); used when present or pullable. */
  readonly grafanaImage: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function resolveSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const stateHome = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), ".local", "state");
  return {
    repoRoot,
    clusterDir: path.join(repoRoot, "cluster"),
    reportsDir: env.FIREDRILL_REPORTS_DIR || path.join(repoRoot, "reports"),
    stateDir: env.FIREDRILL_STATE_DIR || path.join(stateHome, "firedrill"),
    dockerdLog: env.FIREDRILL_DOCKERD_LOG || "/var/log/firedrill/dockerd.log",
    ci: env.CI === "true" || env.CI === "1",
    plainProgress: env.CI === "true" || env.CI === "1" || !process.stderr.isTTY,
    grafanaImage: env.FIREDRILL_GRAFANA_IMAGE || "grafana/grafana-oss:11.3.0",
  };
}
