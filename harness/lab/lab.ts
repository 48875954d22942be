import type Docker from "dockerode";
import type { ProfileName } from "../config/profiles.ts";
import type { NodeName, ServerName } from "../topology/topology.ts";
import { UserError } from "../util/errors.ts";

export interface DbEndpoint {
  /** Always 127.0.0.1: every host port is bound on loopback only. */
  host: string;
  port: number;
  user: string;
  password: string;
  rootPassword: string;
  database: string;
}

export interface NodeEndpoints {
  app: { url: string };
  db: DbEndpoint;
  exporter: { url: string };
}

/** What `up --json` prints and `status` reads back; scripts rely on this shape. */
export interface LabEndpoints {
  runId: string;
  profile: ProfileName;
  haproxy: { url: string; statsUrl: string; metricsUrl: string; statsUser: string; statsPassword: string };
  prometheus: { url: string };
  alertmanager: { url: string };
  /** firedrill's webhook receiver: notifications arrive here; the harness's metrics are relayed from here. */
  receiver: { url: string };
  grafana: { url: string; user: string; password: string } | { skipped: string };
  nodes: Record<NodeName, NodeEndpoints>;
  /** Each server's node exporter (what watches the server itself). */
  nodeExporters: Record<ServerName, { url: string }>;
}

/** A running lab. Faults act on its containers by topology alias, never by container name. */
export interface Lab extends AsyncDisposable {
  readonly runId: string;
  readonly profile: ProfileName;
  readonly endpoints: LabEndpoints;
  /** The engine handle of one service's container, by topology alias (e.g. "node1-db"). */
  container(alias: string): Docker.Container;
  /**
   * The engine that runs one service's container, where helper containers for it must start (a lab
   * on several engines, e.g. VMs reached over SSH). Undefined: the local engine runs everything.
   */
  engine?(alias: string): Docker;
  /** The container's address on the lab network (it can change when a container restarts). */
  ipOf(alias: string): Promise<string>;
  /** The lab network's name, for helper containers that join it. */
  readonly networkName: string;
  /** Labels every helper container of this run must carry, so down and the reaper find it. */
  readonly labels: Readonly<Record<string, string>>;
  /** The network-admin helper image (nft, tc) that faults run in a target's network namespace. */
  readonly netadminImage: string;
  /**
   * The servers themselves, where a lab has real ones (machines, VMs): server-level faults act
   * through this (power off, freeze, nft on the server). Undefined on a single-engine lab, where a
   * server is only the set of its containers.
   */
  readonly servers?: ServerAccess;
  /** Removes every container and the network of this run; idempotent. */
  down(): Promise<void>;
}

/**
 * A lab's access to each of its four servers (a machine container, a VM): what server-level faults
 * need, the same for every multi-host provider. Every call is bounded in time.
 */
export interface ServerAccess {
  /** Hard power-off (no shutdown) and power-on; the server's own engine brings its containers back. */
  powerOff(server: ServerName): Promise<void>;
  powerOn(server: ServerName): Promise<void>;
  /** Freezes every process of the server (paused machine or VM), and thaws it. */
  pause(server: ServerName): Promise<void>;
  resume(server: ServerName): Promise<void>;
  /** Runs a shell script as root on the server (nft, tc): exit code and output, never throws on non-zero. */
  exec(server: ServerName, script: string): Promise<{ exitCode: number; output: string }>;
  /** The server's address on the lab network: what its peers connect to. */
  address(server: ServerName): string;
  /** The server's network interface toward its peers (e.g. eth0, or the VM's private-network NIC). */
  interface(server: ServerName): string;
}

/**
 * The chosen provider cannot run on this machine (no Vagrant, no VirtualBox or libvirt, no lab file).
 * A drill reports it as skipped with the reason, never as passed; the CLI prints it as one line, exit 2.
 */
export class ProviderUnavailableError extends UserError {
  constructor(
    readonly provider: string,
    readonly reason: string,
  ) {
    super(`provider ${provider} cannot run here: ${reason}`);
    this.name = "ProviderUnavailableError";
  }
}

/**
 * Only a provider that builds the lab itself can plant a mutation. The others refuse with one line;
 * a drill reports it as skipped (never passed), the CLI as a usage error.
 */
export function refuseMutation(provider: string): never {
  throw new ProviderUnavailableError(
    provider,
    "mutants run on the testcontainers provider only (it builds the lab, so it can plant the mutation); unset FIREDRILL_PROVIDER",
  );
}
