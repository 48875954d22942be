import { describe, expect, it } from "vitest";
import type Docker from "dockerode";
import type { Lab, ServerAccess } from "../lab/lab.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { ServerName } from "../topology/topology.ts";
import { crashServer } from "./kinds/crash-server.ts";
import { freezeServer } from "./kinds/freeze-server.ts";
import { FaultUnsupportedError, type Fault } from "./fault.ts";
import { requireSupported, targetOf } from "./lab-target.ts";
import { bandwidthLimit } from "./kinds/bandwidth-limit.ts";
import { latency } from "./kinds/latency.ts";
import { packetLoss } from "./kinds/packet-loss.ts";
import { partition } from "./kinds/partition.ts";
import { splitReplication } from "./kinds/split-replication.ts";
import { withFault } from "./with-fault.ts";

const ADDR: Record<ServerName, string> = {
  control1: "10.77.0.11",
  control2: "10.77.0.12",
  node1: "10.77.0.13",
  node2: "10.77.0.14",
};

interface Call {
  op: string;
  server: ServerName;
  script?: string;
}

/**
 * A lab with servers, as a multi-host provider hands it out, every call recorded: the server
 * access, and each container on its server's engine (published ports, state, pid). Container
 * addresses are never to be used at this level: `ipOf` throws.
 */
function fakeServersLab(
  o: { exec?: (server: ServerName, script: string) => { exitCode: number; output: string } } = {},
) {
  const calls: Call[] = [];
  const state = new Map<string, { running: boolean; pid: number }>();
  const published: Record<string, string> = { "node1-db": "13306", "node2-db": "23306" };
  const servers: ServerAccess = {
    powerOff: async (server) => void calls.push({ op: "powerOff", server }),
    powerOn: async (server) => void calls.push({ op: "powerOn", server }),
    pause: async (server) => void calls.push({ op: "pause", server }),
    resume: async (server) => void calls.push({ op: "resume", server }),
    exec: async (server, script) => {
      calls.push({ op: "exec", server, script });
      return o.exec?.(server, script) ?? { exitCode: 0, output: "" };
    },
    address: (s) => ADDR[s],
    interface: () => "eth1",
  };
  const container = (alias: string) =>
    ({
      inspect: async () => {
        const st = state.get(alias) ?? { running: true, pid: 4242 };
        const port = published[alias];
        return {
          State: { Running: st.running, Paused: false, Pid: st.running ? st.pid : 0 },
          HostConfig: { PortBindings: port ? { "3306/tcp": [{ HostIp: "", HostPort: port }] } : {} },
        };
      },
      start: async () => {
        calls.push({ op: `start ${alias}`, server: "node1" });
        state.set(alias, { running: true, pid: 4242 });
      },
    }) as unknown as Docker.Container;
  const lab = {
    runId: "fd-test",
    profile: "hardened",
    servers,
    container,
    ipOf: async (alias: string) => {
      throw new Error(`container address of ${alias} asked for on a lab with servers`);
    },
    networkName: "firedrill-fd-test",
    labels: {},
    netadminImage: "firedrill/netadmin:x",
  } as unknown as Lab;
  return { lab, calls, state };
}

const execs = (calls: Call[]) =>
  calls.filter((c) => c.op === "exec").map((c) => [c.server, c.script] as const);

describe("server target: each fault through the lab's servers", () => {
  it("a lab with servers gets the server target; each lab keeps one", () => {
    const { lab } = fakeServersLab();
    expect(targetOf(lab).level).toBe("servers");
    expect(targetOf(lab)).toBe(targetOf(lab));
  });

  it("crash powers the server off; the heal powers it on (its engine brings the services back), and again when healed twice", async () => {
    const { lab, calls } = fakeServersLab();
    const f = crashServer("node1");
    await f.inject(lab);
    await f.heal(lab);
    await f.heal(lab);
    expect(calls).toEqual([
      { op: "powerOff", server: "node1" },
      { op: "powerOn", server: "node1" },
      { op: "powerOn", server: "node1" },
    ]);
  });

  it("freeze pauses the whole server and the heal resumes it; a second heal on a running server is done, on a frozen one an error", async () => {
    const { lab, calls } = fakeServersLab();
    const f = freezeServer("node2");
    await f.inject(lab);
    await f.heal(lab);
    expect(calls).toEqual([
      { op: "pause", server: "node2" },
      { op: "resume", server: "node2" },
    ]);
    // An access whose resume refuses a server that is not paused (as `docker unpause` does).
    let frozen = false;
    const refusing = fakeServersLab({
      exec: () => (frozen ? { exitCode: 1, output: "container is paused\n" } : { exitCode: 0, output: "" }),
    });
    refusing.lab.servers!.resume = async () => {
      throw new Error("Container is not paused");
    };
    await f.heal(refusing.lab);
    expect(execs(refusing.calls)).toEqual([["node2", "true"]]);
    frozen = true;
    await expect(f.heal(refusing.lab)).rejects.toThrow("Container is not paused");
  });

  it("split replication runs nft on node1 and node2, matching the peer's address and the ports read from the engines", async () => {
    const { lab, calls } = fakeServersLab();
    const f = splitReplication();
    await f.inject(lab);
    const e = execs(calls);
    expect(e.map(([s]) => s)).toEqual(["node1", "node2"]);
    expect(e[0]![1]).toContain(
      "ip saddr 10.77.0.14 tcp dport 13306 drop; ip saddr 10.77.0.14 tcp sport 23306 drop;",
    );
    expect(e[1]![1]).toContain(
      "ip saddr 10.77.0.13 tcp dport 23306 drop; ip saddr 10.77.0.13 tcp sport 13306 drop;",
    );
    expect(e.some(([, s]) => /172\.|3306 drop/.test(s!.replace(/[12]3306/g, "")))).toBe(false);
    calls.length = 0;
    await f.heal(lab);
    expect(execs(calls)).toEqual([
      ["node1", "nft delete table inet firedrill 2>/dev/null; true"],
      ["node2", "nft delete table inet firedrill 2>/dev/null; true"],
    ]);
  });

  it("a partition runs on both servers; its effect is a connect from a's shell to b's address and published port", async () => {
    const { lab, calls } = fakeServersLab({
      exec: (_s, script) => ({ exitCode: 0, output: script.includes("/dev/tcp/") ? "closed\n" : "" }),
    });
    const f = partition("control2", "node1");
    await f.inject(lab);
    expect(execs(calls).map(([s]) => s)).toEqual(["control2", "node1"]);
    calls.length = 0;
    const evidence = await f.effect!.watch(lab)();
    expect(execs(calls)).toEqual([
      ["control2", "timeout 1 bash -c '</dev/tcp/10.77.0.13/13306' && echo open || echo closed"],
    ]);
    expect(evidence).toBe("a TCP connect from control2 to node1-db (10.77.0.13:13306) failed within 1 s");
  });

  it("a service's loss runs in its namespace through nsenter on its server; its heal skips a stopped container", async () => {
    const { lab, calls, state } = fakeServersLab();
    const f = packetLoss("node1-app", 30);
    await f.inject(lab);
    const [[server, script]] = execs(calls) as [[ServerName, string]];
    expect(server).toBe("node1");
    expect(script).toMatch(/^nsenter -t 4242 -n sh -c '/);
    expect(script).toContain("numgen random mod 100 < 30 drop;");
    calls.length = 0;
    state.set("node1-app", { running: false, pid: 0 });
    await f.heal(lab);
    expect(execs(calls)).toEqual([]);
  });

  it("a whole server's bandwidth and loss act on its interface; their effects are looked at from a peer's shell", async () => {
    const { lab, calls } = fakeServersLab({
      exec: (_s, script) => ({
        exitCode: 0,
        output: script.includes("transfer")
          ? "transfer 131072 2100\n"
          : script.includes("seq 1 10")
            ? "open\nclosed\nopen\n"
            : "",
      }),
    });
    const bw = bandwidthLimit("node1", 512);
    await bw.inject(lab);
    expect(execs(calls)).toEqual([
      ["node1", "tc qdisc replace dev eth1 root tbf rate 512kbit burst 16kbit latency 200ms"],
    ]);
    calls.length = 0;
    expect(await bw.effect!.watch(lab)()).toBe("128 KiB from node1-exporter to control1 at 499 kbit/s");
    expect(execs(calls)[0]![0]).toBe("control1");
    expect(execs(calls)[0]![1]).toContain("/dev/tcp/10.77.0.13/9104");
    const loss = packetLoss("node1", 20);
    calls.length = 0;
    expect(await loss.effect!.watch(lab)()).toBe(
      "1 of 10 TCP connects from control1 to node1-db (10.77.0.13:13306) failed within 1 s",
    );
  });
});

describe("needs: checked against what the lab can do, before anything is injected", () => {
  const history = () => {
    const events: unknown[] = [];
    return {
      events,
      h: {
        now: () => 0,
        append: (e: unknown) => events.push(e),
        fault: () => undefined,
      } as unknown as HistoryRecorder,
    };
  };

  it("a server without nft: network faults are unsupported with the reason, never injected", async () => {
    const { lab, calls } = fakeServersLab({
      exec: (s, script) =>
        script.includes("command -v") && s === "node2"
          ? { exitCode: 1, output: "not installed: nft\n" }
          : { exitCode: 0, output: "" },
    });
    const f = splitReplication();
    await expect(requireSupported(lab, f)).rejects.toEqual(
      new FaultUnsupportedError(
        "split replication",
        "server node2 cannot run network faults: not installed: nft",
      ),
    );
    let injected = false;
    const { h, events } = history();
    const err = await withFault(
      lab,
      h,
      { ...f, inject: async () => void (injected = true) },
      async () => "ran",
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FaultUnsupportedError);
    expect(injected).toBe(false);
    expect(events).toEqual([]);
    // Asked once per lab, not once per fault.
    expect(calls.filter((c) => c.script?.includes("command -v"))).toHaveLength(4);
  });

  it("latency needs netem: a kernel without it makes the fault unsupported; power and pause need nothing", async () => {
    const { lab } = fakeServersLab({
      exec: (_s, script) =>
        script.includes("netem delay 1ms")
          ? { exitCode: 2, output: "Error: Specified qdisc kind is unknown.\n" }
          : { exitCode: 0, output: "" },
    });
    await expect(requireSupported(lab, latency("node1", 100))).rejects.toThrow(
      "delay node1 by 100 ms: server control1's kernel has no netem qdisc (sch_netem): Error: Specified qdisc kind is unknown.",
    );
    await expect(requireSupported(lab, crashServer("node1"))).resolves.toBeUndefined();
    await expect(requireSupported(lab, freezeServer("node1"))).resolves.toBeUndefined();
  });

  it("a fault that needs nothing the lab lacks runs as before", async () => {
    const { lab } = fakeServersLab();
    const f: Fault = {
      name: "noop",
      needs: ["kill"],
      inject: async () => undefined,
      heal: async () => undefined,
    };
    const { h } = history();
    expect(await withFault(lab, h, f, async () => "ran")).toBe("ran");
  });
});
