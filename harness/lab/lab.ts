import type Docker from "dockerode";
import type { ProfileName } from "../config/profiles.ts";
import type { NodeName } from "../topology/topology.ts";
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
  /** Removes every container and the network of this run; idempotent. */
  down(): Promise<void>;
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
