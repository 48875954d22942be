import { describe, expect, it } from "vitest";
import { parseLabFile } from "./lab-file.ts";

const node = (port: number) => ({
  app: { url: `http://127.0.0.1:${port}` },
  exporter: { url: `http://127.0.0.1:${port + 1}` },
  db: { host: "127.0.0.1", port: port + 2, user: "todo", password: "p", rootPassword: "r", database: "todo" },
});

function valid() {
  return {
    runId: "fd-lab-1",
    profile: "hardened",
    networkName: "firedrill-fd-lab-1",
    netadminImage: "firedrill/netadmin:abc",
    servers: {
      control1: { engine: "local" },
      control2: { engine: "local" },
      node1: { engine: "ssh://vagrant@192.168.56.13", identityFile: "/k" },
      node2: { engine: "ssh://vagrant@192.168.56.14:2222" },
    },
    endpoints: {
      runId: "fd-lab-1",
      profile: "hardened",
      haproxy: {
        url: "http://127.0.0.1:18080",
        statsUrl: "http://127.0.0.1:18404/stats",
        metricsUrl: "http://127.0.0.1:18404/metrics",
        statsUser: "u",
        statsPassword: "p",
      },
      prometheus: { url: "http://127.0.0.1:19090" },
      alertmanager: { url: "http://127.0.0.1:19093" },
      receiver: { url: "http://127.0.0.1:19099" },
      grafana: { skipped: "no image" },
      nodes: { node1: node(18001), node2: node(18101) },
      nodeExporters: {
        control1: { url: "http://127.0.0.1:19100" },
        control2: { url: "http://127.0.0.1:19101" },
        node1: { url: "http://127.0.0.1:19102" },
        node2: { url: "http://127.0.0.1:19103" },
      },
    },
  };
}

describe("lab file of the existing provider", () => {
  it("accepts what the Ansible role writes", () => {
    expect(parseLabFile(valid(), "lab.json").servers.node1.engine).toBe("ssh://vagrant@192.168.56.13");
  });

  it("refuses endpoints off loopback: firedrill talks to 127.0.0.1 only", () => {
    const f = valid();
    f.endpoints.haproxy.url = "http://10.0.0.12:80";
    expect(() => parseLabFile(f, "lab.json")).toThrow(
      /endpoints\.haproxy\.url: firedrill talks to 127\.0\.0\.1 only/,
    );
  });

  it("refuses an engine that is neither local nor ssh://user@host, and typos", () => {
    const f = valid() as ReturnType<typeof valid> & { servers: { node2: { engine: string } } };
    f.servers.node2.engine = "tcp://192.168.56.14:2375";
    expect(() => parseLabFile(f, "lab.json")).toThrow(/servers\.node2\.engine/);
    const g = { ...valid(), netadminImag: "x" };
    expect(() => parseLabFile(g, "lab.json")).toThrow(/netadminImag/);
  });

  it("refuses a file whose endpoints belong to another run", () => {
    const f = valid();
    f.endpoints.runId = "fd-other";
    expect(() => parseLabFile(f, "lab.json")).toThrow(/must equal runId/);
  });
});
