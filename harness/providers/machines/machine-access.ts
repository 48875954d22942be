import type Docker from "dockerode";
import type { ServerAccess } from "../../lab/lab.ts";
import type { ServerName } from "../../topology/topology.ts";
import { execIn, waitMachineReady, withTimeout } from "./machine-engine.ts";

/** What the access needs to know of each machine, fixed at `up`. */
export interface MachineHandle {
  /** The machine container's name on this machine's engine (`<run id>-<server>`). */
  name: string;
  /** Its fixed address on the lab network, what its peers connect to. */
  address: string;
  /** Its interface toward the other machines (inside the machine). */
  iface: string;
  /** Its sshd, published on 127.0.0.1. */
  sshPort: number;
}

export interface MachineAccessOptions {
  /** How long a powered-on machine may take until its sshd and engine answer again. */
  readyTimeoutMs?: number;
  /** How long a script run by `exec` may take. */
  execTimeoutMs?: number;
}

/**
 * Server-level access to a machines lab, as `Lab.servers`: each server is a machine container on
 * this machine's engine, with its own engine inside.
 *
 * - powerOff: `docker kill` of the machine (SIGKILL to its init: its engine and every service die at
 *   once, nothing is shut down cleanly, as when a VM's power is pulled);
 * - powerOn: `docker start`, then waits for its sshd and engine; the engine starts the services
 *   again by their restart policy (unless-stopped: a service a fault stopped stays stopped);
 * - pause / resume: `docker pause` / `unpause` of the machine, which freezes every process in it,
 *   its services included (their cgroups are nested under the machine's);
 * - exec: a shell script as root in the machine (`docker exec`), as on a server's root shell;
 * - address / interface: the machine's fixed address on the lab network and the interface that
 *   carries it (eth0).
 *
 * Every call is bounded in time.
 */
export class MachineAccess implements ServerAccess {
  private readonly readyTimeoutMs: number;
  private readonly execTimeoutMs: number;

  constructor(
    private readonly docker: Docker,
    private readonly machines: Readonly<Record<ServerName, MachineHandle>>,
    o: MachineAccessOptions = {},
  ) {
    this.readyTimeoutMs = o.readyTimeoutMs ?? 60_000;
    this.execTimeoutMs = o.execTimeoutMs ?? 60_000;
  }

  private machine(server: ServerName): Docker.Container {
    return this.docker.getContainer(this.machines[server].name);
  }

  async powerOff(server: ServerName): Promise<void> {
    try {
      await withTimeout(`power off ${server}`, 30_000, this.machine(server).kill());
    } catch (err) {
      // 409: not running. Powering off a machine that is off leaves it off.
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
    }
  }

  async powerOn(server: ServerName): Promise<void> {
    const m = this.machines[server];
    try {
      await withTimeout(`power on ${server}`, 30_000, this.machine(server).start());
    } catch (err) {
      // 304: already running.
      if ((err as { statusCode?: number }).statusCode !== 304) throw err;
    }
    await waitMachineReady(this.docker, m.name, m.sshPort, this.readyTimeoutMs);
  }

  async pause(server: ServerName): Promise<void> {
    await withTimeout(`pause ${server}`, 30_000, this.machine(server).pause());
  }

  async resume(server: ServerName): Promise<void> {
    await withTimeout(`resume ${server}`, 30_000, this.machine(server).unpause());
  }

  exec(server: ServerName, script: string): Promise<{ exitCode: number; output: string }> {
    return execIn(this.machine(server), ["sh", "-c", script], this.execTimeoutMs);
  }

  address(server: ServerName): string {
    return this.machines[server].address;
  }

  interface(server: ServerName): string {
    return this.machines[server].iface;
  }
}
