import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { profileNames, type ProfileName } from "../config/profiles.ts";
import { UserError } from "../util/errors.ts";

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
  /** Plain progress lines, no live status line: in CI, when stderr is not a terminal, or FIREDRILL_PLAIN_PROGRESS=1. */
  readonly plainProgress: boolean;
  /** Grafana's image (pinned); used when present or pullable. */
  readonly grafanaImage: string;
  /** Profiles the scenario files run (`FIREDRILL_PROFILES`, comma list; default both), so CI can run one per job. */
  readonly profiles: readonly ProfileName[];
  /** What drives the load-haproxy drill (`FIREDRILL_LOAD_GENERATOR`): the built-in generator or k6. */
  readonly loadGenerator: LoadGenerator;
  /** Which provider brings labs up (`FIREDRILL_PROVIDER`, or `--provider`): testcontainers (default), machines, vagrant or existing. */
  readonly provider: ProviderName;
  /** The lab file the `existing` provider attaches through (`FIREDRILL_INVENTORY`). */
  readonly inventory: string | undefined;
  /**
   * The lowest rate load-haproxy must hold (`FIREDRILL_MIN_HOLD_RATE`, ops/s): below it the lab has
   * no capacity worth the name. 100 suits a 2-core machine, which holds 200–600.
   */
  readonly minHoldRate: number;
  /**
   * Every drill of `pnpm test:scenarios` on a lab of its own (`FIREDRILL_FRESH_LABS=1`) instead of
   * one lab per profile shared by all, checked clean before each drill.
   */
  readonly freshLabs: boolean;
  /** The Vagrant provider the vagrant lab runs on (`VAGRANT_DEFAULT_PROVIDER`, as Vagrant reads it): virtualbox or libvirt. */
  readonly vagrantProvider: string;
}

export const loadGenerators = ["builtin", "k6"] as const;
export type LoadGenerator = (typeof loadGenerators)[number];

export const providerNames = ["testcontainers", "machines", "vagrant", "existing"] as const;
export type ProviderName = (typeof providerNames)[number];

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
    plainProgress:
      env.CI === "true" || env.CI === "1" || env.FIREDRILL_PLAIN_PROGRESS === "1" || !process.stderr.isTTY,
    grafanaImage: env.FIREDRILL_GRAFANA_IMAGE || "grafana/grafana-oss:11.3.0",
    profiles: parseProfiles(env.FIREDRILL_PROFILES),
    loadGenerator: parseLoadGenerator(env.FIREDRILL_LOAD_GENERATOR),
    provider: parseProvider(env.FIREDRILL_PROVIDER, "FIREDRILL_PROVIDER"),
    inventory: env.FIREDRILL_INVENTORY || undefined,
    vagrantProvider: env.VAGRANT_DEFAULT_PROVIDER || "virtualbox",
    minHoldRate: parseMinHoldRate(env.FIREDRILL_MIN_HOLD_RATE),
    freshLabs: env.FIREDRILL_FRESH_LABS === "1",
  };
}

/** `FIREDRILL_PROFILES`: "hardened", "seed" or "hardened,seed"; unset or empty means both, hardened first. */
function parseProfiles(value: string | undefined): ProfileName[] {
  const words = (value ?? "")
    .split(",")
    .map((w) => w.trim())
    .filter(Boolean);
  if (words.length === 0) return ["hardened", "seed"];
  const unknown = words.filter((w) => !(profileNames as readonly string[]).includes(w));
  if (unknown.length > 0)
    throw new UserError(
      `FIREDRILL_PROFILES: unknown profile ${unknown.map((w) => `"${w}"`).join(", ")}; use a comma list of: ${profileNames.join(", ")}`,
    );
  return [...new Set(words as ProfileName[])];
}

function parseMinHoldRate(value: string | undefined): number {
  if (!value) return 100;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UserError(
      `FIREDRILL_MIN_HOLD_RATE: "${value}" is not a positive whole number of operations per second`,
    );
  return n;
}

function parseLoadGenerator(value: string | undefined): LoadGenerator {
  if (!value) return "builtin";
  if (!(loadGenerators as readonly string[]).includes(value))
    throw new UserError(
      `FIREDRILL_LOAD_GENERATOR: unknown generator "${value}"; use one of: ${loadGenerators.join(", ")}`,
    );
  return value as LoadGenerator;
}

/** `FIREDRILL_PROVIDER` or `--provider` (`source` names which, for the message); unset means testcontainers. */
export function parseProvider(value: string | undefined, source: string): ProviderName {
  if (!value) return "testcontainers";
  if (!(providerNames as readonly string[]).includes(value))
    throw new UserError(`${source}: unknown provider "${value}"; use one of: ${providerNames.join(", ")}`);
  return value as ProviderName;
}

/** `--provider` wins over FIREDRILL_PROVIDER; an unknown name is a one-line usage error (exit 2). */
export function withProvider(settings: Settings, flag: unknown): Settings {
  if (flag === undefined) return settings;
  return { ...settings, provider: parseProvider(String(flag), "--provider") };
}
