import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { topology } from "../../topology/topology.ts";
import { readVagrantTable } from "../vagrant/vagrant-table.ts";
import {
  chooseIsolation,
  endpointPorts,
  machineAddresses,
  machineCreateOptions,
  machineInventory,
  machinePorts,
  type MachineSpec,
  type PublishedPorts,
} from "./machine-plan.ts";

const clusterDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../cluster");
const table = readVagrantTable(clusterDir);

describe("chooseIsolation", () => {
  it("takes privileged where the engine allows it", () => {
    expect(chooseIsolation({ privileged: undefined, capabilities: undefined })).toEqual({
      ok: true,
      isolation: "privileged",
    });
  });

  it("falls back to the capability set when --privileged is refused", () => {
    expect(
      chooseIsolation({
        privileged: "unable to apply caps: operation not permitted",
        capabilities: undefined,
      }),
    ).toEqual({ ok: true, isolation: "capabilities" });
  });

  it("says in one line what the engine must allow when it refuses both", () => {
    const r = chooseIsolation({
      privileged: "unable to apply caps: operation not permitted\nmore",
      capabilities: "seccomp profiles are not supported",
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).not.toContain("\n");
    expect(r.reason).toContain("--privileged");
    expect(r.reason).toContain("SYS_RESOURCE");
    expect(r.reason).toContain("unable to apply caps");
    expect(r.reason).toContain("seccomp profiles are not supported");
  });
});

describe("machineAddresses", () => {
  it("keeps the table's host parts (.11-.14) inside the subnet the engine chose", () => {
    expect(machineAddresses(table, "172.24.0.0/16", "172.24.0.1")).toEqual({
      control1: "172.24.0.11",
      control2: "172.24.0.12",
      node1: "172.24.0.13",
      node2: "172.24.0.14",
    });
    expect(machineAddresses(table, "192.168.240.0/20").node2).toBe("192.168.240.14");
  });

  it("normalises a subnet written with host bits and refuses one too small", () => {
    expect(machineAddresses(table, "10.9.8.7/24").control1).toBe("10.9.8.11");
    expect(() => machineAddresses(table, "10.9.8.0/29")).toThrow(/does not fit/);
    expect(() => machineAddresses(table, "not-a-subnet")).toThrow(/not an IPv4 subnet/);
  });
});

describe("machinePorts and endpointPorts", () => {
  it("publishes sshd and the ports servers.yml forwards for each server's services", () => {
    expect(machinePorts(table)).toEqual({
      control1: [22, 9099, 9100],
      control2: [22, 80, 8404, 9090, 9093, 9100],
      node1: [22, 3306, 8000, 9100, 9104],
      node2: [22, 3306, 8000, 9100, 9104],
    });
  });

  it("covers every service of the topology that has an image", () => {
    const ports = machinePorts(table);
    for (const s of topology.filter((x) => x.image))
      for (const p of s.ports) expect(ports[s.server], `${s.alias}:${p}`).toContain(p);
  });

  it("refuses a table that places a service elsewhere than the topology, or one port twice", () => {
    expect(() => machinePorts({ ...table, placement: { ...table.placement, haproxy: "node1" } })).toThrow(
      /places haproxy on node1/,
    );
    expect(() =>
      machinePorts({
        ...table,
        forwarded_ports: { ...table.forwarded_ports, prometheus: { "80": 19090 } },
      }),
    ).toThrow(/publish port 80 twice/);
  });

  it("maps each service port to its machine's host port on 127.0.0.1", () => {
    const published: PublishedPorts = {
      control1: { 22: 40001, 9099: 40002, 9100: 40016 },
      control2: { 22: 40003, 80: 40004, 8404: 40005, 9090: 40006, 9093: 40007, 9100: 40017 },
      node1: { 22: 40008, 3306: 40009, 8000: 40010, 9104: 40011, 9100: 40018 },
      node2: { 22: 40012, 3306: 40013, 8000: 40014, 9104: 40015, 9100: 40019 },
    };
    const e = endpointPorts(table, published);
    expect(e.haproxy).toEqual({ "80": "40004", "8404": "40005" });
    expect(e["node2-db"]).toEqual({ "3306": "40013" });
    expect(e.receiver).toEqual({ "9099": "40002" });
    expect(() => endpointPorts(table, { ...published, node1: { 22: 1 } })).toThrow(/node1 publishes no port/);
  });
});

const spec: MachineSpec = {
  name: "fd-x-node1",
  server: "node1",
  image: "firedrill/machine:abc",
  isolation: "capabilities",
  cgroupVersion: "1",
  network: "firedrill-fd-x-machines",
  address: "172.24.0.13",
  cacheVolume: "firedrill-machine-node1-0",
  ports: { 22: 40008, 3306: 40009 },
  labels: { firedrill: "1" },
  publicKey: "ssh-ed25519 AAAA firedrill",
};

describe("machineCreateOptions", () => {
  it("capability mode: every capability but SYS_RESOURCE, unconfined, the host's cgroups on v1", () => {
    const o = machineCreateOptions(spec);
    expect(o.HostConfig?.Privileged).toBeUndefined();
    expect(o.HostConfig?.CapAdd).toEqual(["ALL"]);
    expect(o.HostConfig?.CapDrop).toEqual(["SYS_RESOURCE"]);
    expect(o.HostConfig?.SecurityOpt).toEqual(["seccomp=unconfined", "apparmor=unconfined"]);
    // systempaths=unconfined, as the engine API spells it.
    expect([o.HostConfig?.MaskedPaths, o.HostConfig?.ReadonlyPaths]).toEqual([[], []]);
    expect(o.HostConfig?.Binds).toEqual([
      "/sys/fs/cgroup:/sys/fs/cgroup:rw",
      "firedrill-machine-node1-0:/var/lib/docker",
    ]);
    expect(o.HostConfig?.CgroupnsMode).toBe("host");
  });

  it("privileged mode; cgroup v2 gets a private cgroup namespace instead of the host's tree", () => {
    const o = machineCreateOptions({ ...spec, isolation: "privileged", cgroupVersion: "2" });
    expect(o.HostConfig?.Privileged).toBe(true);
    expect(o.HostConfig?.CapAdd).toBeUndefined();
    expect(o.HostConfig?.CgroupnsMode).toBe("private");
    expect(o.HostConfig?.Binds).toEqual(["firedrill-machine-node1-0:/var/lib/docker"]);
  });

  it("publishes on 127.0.0.1 only, pins the address, never restarts on its own", () => {
    const o = machineCreateOptions(spec);
    expect(o.HostConfig?.PortBindings).toEqual({
      "22/tcp": [{ HostIp: "127.0.0.1", HostPort: "40008" }],
      "3306/tcp": [{ HostIp: "127.0.0.1", HostPort: "40009" }],
    });
    expect(o.NetworkingConfig?.EndpointsConfig?.["firedrill-fd-x-machines"]?.IPAMConfig?.IPv4Address).toBe(
      "172.24.0.13",
    );
    expect(o.HostConfig?.RestartPolicy?.Name).toBe("no");
    expect(o.HostConfig?.Tmpfs?.["/run"]).toMatch(/^rw/);
    expect(o.Env).toEqual(["FIREDRILL_SSH_KEY=ssh-ed25519 AAAA firedrill"]);
  });
});

describe("machineInventory", () => {
  const published: PublishedPorts = {
    control1: { 22: 41001, 9099: 41002, 9100: 41016 },
    control2: { 22: 41003, 80: 41004, 8404: 41005, 9090: 41006, 9093: 41007, 9100: 41017 },
    node1: { 22: 41008, 3306: 41009, 8000: 41010, 9104: 41011, 9100: 41018 },
    node2: { 22: 41012, 3306: 41013, 8000: 41014, 9104: 41015, 9100: 41019 },
  };
  const inv = machineInventory({
    keyFile: "/state/machines/fd-x/id_ed25519",
    table,
    published,
    servers: {
      control1: { sshPort: 41001, address: "172.24.0.11" },
      control2: { sshPort: 41003, address: "172.24.0.12" },
      node1: { sshPort: 41008, address: "172.24.0.13" },
      node2: { sshPort: 41012, address: "172.24.0.14" },
    },
  }) as {
    all: {
      children: {
        lab: {
          children: Record<"controls" | "nodes", { hosts: Record<string, Record<string, unknown>> }>;
          vars: Record<string, unknown>;
        };
      };
    };
  };
  const lab = inv.all.children.lab;

  it("has the Vagrant inventory's groups", () => {
    expect(Object.keys(lab.children.controls.hosts)).toEqual(["control1", "control2"]);
    expect(Object.keys(lab.children.nodes.hosts)).toEqual(["node1", "node2"]);
  });

  it("reaches each server over SSH on 127.0.0.1 at its published port, as the sudo user with the run's key", () => {
    expect(lab.vars.ansible_host).toBe("127.0.0.1");
    expect(lab.vars.ansible_user).toBe("firedrill");
    expect(lab.vars.ansible_ssh_private_key_file).toBe("/state/machines/fd-x/id_ed25519");
    expect(lab.children.nodes.hosts.node1).toEqual({
      ansible_port: 41008,
      firedrill_private_ip: "172.24.0.13",
      firedrill_bind_address: "172.24.0.13",
      firedrill_engine: "ssh://firedrill@127.0.0.1:41008",
    });
    expect(lab.vars.firedrill_engine_identity).toBe("/state/machines/fd-x/id_ed25519");
  });

  it("deploys one engine per server, services on the machine's own ports, endpoints on 127.0.0.1", () => {
    expect(lab.vars.firedrill_network_mode).toBe("hosts");
    expect(lab.vars.firedrill_engine_install).toBe(false);
    expect((lab.vars.firedrill_host_ports as Record<string, unknown>).haproxy).toEqual({
      "80": "80",
      "8404": "8404",
    });
    expect(lab.vars.firedrill_endpoint_host).toBe("127.0.0.1");
    expect((lab.vars.firedrill_endpoint_ports as Record<string, unknown>)["node1-app"]).toEqual({
      "8000": "41010",
    });
  });
});
