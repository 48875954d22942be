import type Docker from "dockerode";
import { nodeNames, serverNames, topology, type ServerName } from "../../topology/topology.ts";
import type { VagrantTable } from "../vagrant/vagrant-table.ts";

/**
 * What the machines provider creates, as data: the machines' addresses, their published ports, the
 * container options of each isolation mode and the Ansible inventory. Pure, so it is unit-tested
 * without an engine; machines-provider.ts only carries it out.
 */

/** The sudo user on every machine, as `vagrant` is on a VM: Ansible logs in as it and becomes root. */
export const MACHINE_USER = "firedrill";
export const SSH_PORT = 22;
/** Marks a machine's image cache volume: it outlives runs (the reaper and `down` spare it). */
export const LABEL_CACHE = "firedrill.cache";
export const CACHE_KIND = "machine-images";

/**
 * How a machine container may run its own Docker engine. `privileged` where the engine allows it
 * (CI runners); else `capabilities`: every capability but CAP_SYS_RESOURCE (outside the bounding set
 * of an engine that itself runs in a container, which is why --privileged fails there) with seccomp,
 * AppArmor and the masked /proc and /sys paths lifted.
 */
export type Isolation = "privileged" | "capabilities";
export const isolations: readonly Isolation[] = ["privileged", "capabilities"];

/** The outcome of starting a throwaway machine container in one mode: undefined when it ran, else the engine's error. */
export type IsolationProbe = Record<Isolation, string | undefined>;

/** The first mode the engine accepted, or one line saying what the engine must allow. */
export function chooseIsolation(
  probe: IsolationProbe,
): { ok: true; isolation: Isolation } | { ok: false; reason: string } {
  for (const mode of isolations) if (probe[mode] === undefined) return { ok: true, isolation: mode };
  const first = (s: string | undefined) => (s ?? "").trim().split("\n")[0]?.slice(0, 160);
  return {
    ok: false,
    reason:
      "the Docker engine refuses machine containers: they need --privileged, or every capability but " +
      "SYS_RESOURCE with seccomp, AppArmor and system paths unconfined " +
      `(--privileged: ${first(probe.privileged)}; capabilities: ${first(probe.capabilities)})`,
  };
}

/** Dotted quad <-> 32-bit number. */
const toInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

function parseCidr(cidr: string): { base: number; prefix: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`"${cidr}" is not an IPv4 subnet`);
  const prefix = Number(m[2]);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(toInt(m[1]!) / size) * size, prefix };
}

/**
 * Each machine's address on the lab network: the host part of its address in servers.yml (.11 to
 * .14) inside the subnet the engine chose for the run's network. The table's own 192.168.56.0/24 is
 * not used: it may be a developer's VirtualBox host-only network, and the engine knows which of its
 * subnets are free. Pinned (a static address per machine), because the role writes the peers'
 * addresses into HAProxy, Prometheus and the replication source, and a restarted machine must keep
 * its own.
 */
export function machineAddresses(
  table: VagrantTable,
  subnet: string,
  gateway?: string,
): Record<ServerName, string> {
  const tableNet = parseCidr(table.network);
  const lab = parseCidr(subnet);
  const size = 2 ** (32 - lab.prefix);
  const out = {} as Record<ServerName, string>;
  for (const s of table.servers) {
    const host = toInt(s.ip) - tableNet.base;
    if (host <= 0 || host >= size - 1)
      throw new Error(`${s.name}'s host part .${host} does not fit the lab network ${subnet}`);
    const ip = toIp(lab.base + host);
    if (ip === gateway) throw new Error(`${s.name}'s address ${ip} is the gateway of ${subnet}`);
    out[s.name] = ip;
  }
  return out;
}

/**
 * The container ports each machine publishes on 127.0.0.1: its sshd, and the ports of the services
 * servers.yml places on it (the ports Vagrant forwards for a VM). Two services of one server on one
 * port would make one unreachable: refused.
 */
export function machinePorts(table: VagrantTable): Record<ServerName, number[]> {
  const out = Object.fromEntries(serverNames.map((s) => [s, [SSH_PORT]])) as Record<ServerName, number[]>;
  for (const s of topology) {
    if (!s.image) continue;
    const forwarded = table.forwarded_ports[s.alias];
    if (!forwarded) throw new Error(`servers.yml forwards no port of ${s.alias}`);
    const server = table.placement[s.alias];
    if (server !== s.server)
      throw new Error(`servers.yml places ${s.alias} on ${server}, the topology on ${s.server}`);
    for (const port of Object.keys(forwarded).map(Number)) {
      if (out[server].includes(port)) throw new Error(`${server} would publish port ${port} twice`);
      out[server].push(port);
    }
  }
  for (const s of serverNames) out[s].sort((a, b) => a - b);
  return out;
}

/** Host port of each published machine port (127.0.0.1 only), per server. */
export type PublishedPorts = Record<ServerName, Record<number, number>>;

/** The role's `firedrill_endpoint_ports`: where the harness reaches each service port, on 127.0.0.1. */
export function endpointPorts(
  table: VagrantTable,
  published: PublishedPorts,
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [alias, forwarded] of Object.entries(table.forwarded_ports)) {
    const server = table.placement[alias];
    if (!server) throw new Error(`servers.yml does not place ${alias}`);
    out[alias] = {};
    for (const port of Object.keys(forwarded)) {
      const host = published[server][Number(port)];
      if (host === undefined) throw new Error(`${server} publishes no port ${port} for ${alias}`);
      out[alias][port] = String(host);
    }
  }
  return out;
}

/**
 * The role's `firedrill_host_ports` on a machine: each service published on the machine's own
 * address at its own port (as on a VM), where the other machines reach it.
 */
export function serverHostPorts(table: VagrantTable): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(table.forwarded_ports).map(([alias, ports]) => [
      alias,
      Object.fromEntries(Object.keys(ports).map((p) => [p, p])),
    ]),
  );
}

export interface MachineSpec {
  name: string;
  server: ServerName;
  image: string;
  isolation: Isolation;
  /** The outer engine's cgroup version ("1" or "2", from `docker info`). */
  cgroupVersion: string;
  network: string;
  address: string;
  /** The named volume that keeps this machine's /var/lib/docker (its images) across runs. */
  cacheVolume: string;
  /** Container port -> host port on 127.0.0.1. */
  ports: Record<number, number>;
  labels: Record<string, string>;
  /** The run's public key, for the sudo user's authorized_keys. */
  publicKey: string;
}

/** HostConfig with the engine's cgroup namespace mode (API 1.41), which @types/dockerode lacks. */
export type MachineHostConfig = Docker.HostConfig & { CgroupnsMode?: "host" | "private" };

/** The engine's create options for one machine container. */
export function machineCreateOptions(
  m: MachineSpec,
): Docker.ContainerCreateOptions & { HostConfig: MachineHostConfig } {
  const security: Docker.HostConfig =
    m.isolation === "privileged"
      ? { Privileged: true }
      : {
          CapAdd: ["ALL"],
          CapDrop: ["SYS_RESOURCE"],
          SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
          // The CLI's `--security-opt systempaths=unconfined`: nothing of /proc and /sys masked or read-only.
          MaskedPaths: [],
          ReadonlyPaths: [],
        };
  // cgroup v1: the host's hierarchy, writable, so the machine's engine nests its containers under the
  // machine's own cgroup (machine-init passes it as --cgroup-parent): `docker pause` of the machine
  // then freezes them too. cgroup v2: a private namespace whose root is the machine's cgroup.
  const cgroup: MachineHostConfig =
    m.cgroupVersion === "2"
      ? { CgroupnsMode: "private" }
      : { CgroupnsMode: "host", Binds: ["/sys/fs/cgroup:/sys/fs/cgroup:rw"] };
  return {
    name: m.name,
    Image: m.image,
    Hostname: m.server,
    Labels: m.labels,
    Env: [`FIREDRILL_SSH_KEY=${m.publicKey}`],
    ExposedPorts: Object.fromEntries(Object.keys(m.ports).map((p) => [`${p}/tcp`, {}])),
    HostConfig: {
      ...security,
      ...cgroup,
      Binds: [...(cgroup.Binds ?? []), `${m.cacheVolume}:/var/lib/docker`],
      // Volatile like a VM's: what a killed boot left in /run (pid files) must not outlive a power-off.
      Tmpfs: { "/run": "rw,nosuid,nodev,mode=755" },
      NetworkMode: m.network,
      // Only on loopback: everything the harness sends goes to 127.0.0.1.
      PortBindings: Object.fromEntries(
        Object.entries(m.ports).map(([p, host]) => [
          `${p}/tcp`,
          [{ HostIp: "127.0.0.1", HostPort: String(host) }],
        ]),
      ),
      // A power-off is `docker kill`; a power-on is a start by the harness, never the engine on its own.
      RestartPolicy: { Name: "no" },
    },
    NetworkingConfig: {
      EndpointsConfig: { [m.network]: { IPAMConfig: { IPv4Address: m.address } } },
    },
  };
}

export interface InventoryInput {
  /** The run's private key (mode 0600). */
  keyFile: string;
  servers: Record<ServerName, { sshPort: number; address: string }>;
  table: VagrantTable;
  published: PublishedPorts;
}

/**
 * The Ansible inventory of a machines lab, in the shape of inventories/vagrant: the same groups, each
 * server reached over SSH on 127.0.0.1 at its published port with the run's key as the sudo user
 * (the role becomes root where it must), one engine per server (`hosts` mode) with each service
 * published on the machine's address, and the endpoints and engines written into the lab file as the
 * harness reaches them (127.0.0.1, ssh://).
 */
export function machineInventory(i: InventoryInput): Record<string, unknown> {
  const host = (s: ServerName) => ({
    ansible_port: i.servers[s].sshPort,
    firedrill_private_ip: i.servers[s].address,
    firedrill_bind_address: i.servers[s].address,
    firedrill_engine: `ssh://${MACHINE_USER}@127.0.0.1:${i.servers[s].sshPort}`,
  });
  const group = (names: readonly ServerName[]) => ({
    hosts: Object.fromEntries(names.map((s) => [s, host(s)])),
  });
  return {
    all: {
      children: {
        lab: {
          children: {
            controls: group(serverNames.filter((s) => !(nodeNames as readonly string[]).includes(s))),
            nodes: group(nodeNames),
          },
          vars: {
            ansible_host: "127.0.0.1",
            ansible_user: MACHINE_USER,
            ansible_ssh_private_key_file: i.keyFile,
            ansible_ssh_common_args:
              "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes",
            ansible_python_interpreter: "/usr/bin/python3",
            // The engine is in the machine image already.
            firedrill_engine_install: false,
            firedrill_network_mode: "hosts",
            firedrill_host_ports: serverHostPorts(i.table),
            firedrill_endpoint_host: "127.0.0.1",
            firedrill_endpoint_ports: endpointPorts(i.table, i.published),
            firedrill_engine_identity: i.keyFile,
          },
        },
      },
    },
  };
}
