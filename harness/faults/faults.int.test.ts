import { describe, expect } from "vitest";
import type { Lab } from "../lab/lab.ts";
import { AppClient } from "../probes/app-client.ts";
import { fetchServerStates } from "../probes/haproxy-metrics.ts";
import { labTest } from "../testing/lab-fixture.ts";
import { waitUntil } from "../util/wait-until.ts";
import { freezeServer } from "./kinds/freeze-server.ts";
import { FaultUnsupportedError, type Fault } from "./fault.ts";
import { requireSupported, targetOf } from "./lab-target.ts";
import { inNetns } from "./netadmin.ts";
import { bandwidthLimit } from "./kinds/bandwidth-limit.ts";
import { latency } from "./kinds/latency.ts";
import { packetLoss } from "./kinds/packet-loss.ts";
import { partition } from "./kinds/partition.ts";

// One hardened lab for the file, and a client through its HAProxy that gives up after 3 s.
const it = labTest("hardened").extend<{ client: AppClient }>({
  client: [async ({ lab }, use) => use(new AppClient(lab.endpoints.haproxy.url, 3000)), { scope: "file" }],
});

// Each fault against the running hardened lab: inject, see its effect, heal (twice: heal is
// idempotent), see the lab recover.
describe("faults against a running lab", () => {
  const servedBy = async (client: AppClient) => (await client.home().catch(() => undefined))?.servedBy;
  const waitServedBy = (client: AppClient, node: string, timeoutMs = 15_000) =>
    waitUntil(
      `traffic served by ${node}`,
      async () => ((await servedBy(client)) === node ? true : undefined),
      { timeoutMs, intervalMs: 100 },
    );
  /**
   * A fault's observable effect: not seen on the healthy lab (else it proves nothing), then seen
   * within 15 s of the inject. Returns the evidence.
   */
  const notBefore = async (lab: Lab, f: Fault) => expect(await f.effect!.watch(lab)()).toBeUndefined();
  const effectSeen = (lab: Lab, f: Fault) => {
    const look = f.effect!.watch(lab);
    return waitUntil(`effect of ${f.name}: ${f.effect!.description}`, look, {
      timeoutMs: 15_000,
      intervalMs: 250,
    });
  };
  const healTwice = async (lab: Lab, f: Fault) => {
    await f.heal(lab);
    await f.heal(lab);
  };
  /** Can `from` open a TCP connection to `alias`:3306 (or :8000)? Tried from inside `from`'s namespace. */
  const canConnect = async (lab: Lab, from: string, alias: string, port: number) => {
    const ip = await lab.ipOf(alias);
    const r = await inNetns(
      lab,
      from,
      `timeout 2 bash -c '</dev/tcp/${ip}/${port}' && echo open || echo closed`,
    );
    return r.output.trim().endsWith("open");
  };

  it("freeze node1: HAProxy sends traffic to node2; thaw: back to node1", async ({ lab, client }) => {
    const f = freezeServer("node1");
    await notBefore(lab, f);
    await f.inject(lab);
    expect(await effectSeen(lab, f)).toMatch(
      /node1-db: no greeting within 1000 ms; node1-exporter: .*; node1-app: /,
    );
    expect((await lab.container("node1-db").inspect()).State.Paused).toBe(true);
    await waitServedBy(client, "node2");
    await healTwice(lab, f);
    await waitServedBy(client, "node1", 30_000);
  });

  it("partition control2 | node1: HAProxy cannot reach node1 and fails over; heal restores it", async ({
    lab,
    client,
  }) => {
    const f = partition("control2", "node1");
    await notBefore(lab, f);
    await f.inject(lab);
    expect(await effectSeen(lab, f)).toMatch(
      /^a TCP connect from haproxy to node1-db \([\d.]+:3306\) failed within 1 s$/,
    );
    expect(await canConnect(lab, "haproxy", "node1-app", 8000)).toBe(false);
    expect(await canConnect(lab, "haproxy", "node2-app", 8000)).toBe(true);
    await waitServedBy(client, "node2");
    await healTwice(lab, f);
    expect(await canConnect(lab, "haproxy", "node1-app", 8000)).toBe(true);
    await waitServedBy(client, "node1", 30_000);
  });

  it("one-way partition node1 -> node2: node1 cannot open connections to node2, node2 still reaches node1", async ({
    lab,
  }) => {
    const f = partition("node1", "node2", "one-way");
    await notBefore(lab, f);
    await f.inject(lab);
    expect(await effectSeen(lab, f)).toContain("from node1-db to node2-db");
    expect(await canConnect(lab, "node1-app", "node2-db", 3306)).toBe(false);
    expect(await canConnect(lab, "node2-app", "node1-db", 3306)).toBe(true);
    await healTwice(lab, f);
    expect(await canConnect(lab, "node1-app", "node2-db", 3306)).toBe(true);
  });

  it("100 % packet loss on node1's app: its health check fails and HAProxy marks it down", async ({
    lab,
    client,
  }) => {
    const f = packetLoss("node1-app", 100);
    await notBefore(lab, f);
    await f.inject(lab);
    expect(await effectSeen(lab, f)).toMatch(/^10 of 10 looks at node1-app unanswered/);
    await waitUntil(
      "node1 DOWN",
      async () =>
        (await fetchServerStates(lab.endpoints.haproxy.metricsUrl)).node1 === "DOWN" ? true : undefined,
      {
        timeoutMs: 15_000,
      },
    );
    await healTwice(lab, f);
    await waitServedBy(client, "node1", 30_000);
  });

  it("bandwidth limit installs a token bucket on the container's interface and heal removes it", async ({
    lab,
  }) => {
    const f = bandwidthLimit("node1-db", 512);
    await notBefore(lab, f);
    await f.inject(lab);
    expect(await effectSeen(lab, f)).toMatch(/^256 KiB from node1-db at \d+ kbit\/s$/);
    expect((await inNetns(lab, "node1-db", "tc qdisc show dev eth0")).output).toMatch(/tbf .*rate 512Kbit/);
    await healTwice(lab, f);
    expect((await inNetns(lab, "node1-db", "tc qdisc show dev eth0")).output).not.toContain("tbf");
  });

  it("a whole server's packet loss on a single engine: each of its containers drops, a peer's connects fail", async ({
    lab,
  }) => {
    const f = packetLoss("node2", 100);
    await notBefore(lab, f);
    await f.inject(lab);
    expect(await effectSeen(lab, f)).toMatch(
      /^10 of 10 TCP connects from control1 to node2-db \([\d.]+:3306\) failed within 1 s$/,
    );
    expect(await canConnect(lab, "node1-app", "node2-app", 8000)).toBe(false);
    await healTwice(lab, f);
    expect(await canConnect(lab, "node1-app", "node2-app", 8000)).toBe(true);
    expect(await f.effect!.watch(lab)()).toBeUndefined();
  });

  it("needs are asked of the lab before anything is injected: netem here says what the inject would", async ({
    lab,
  }) => {
    expect(targetOf(lab).level).toBe("containers");
    await requireSupported(lab, partition("node1", "node2"));
    const asked = await requireSupported(lab, latency("node1-db", 100)).then(
      () => undefined,
      (err: unknown) => err,
    );
    const injected = await latency("node1-db", 100)
      .inject(lab)
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    await latency("node1-db", 100).heal(lab);
    if (injected === undefined) {
      // A kernel with netem: the lab must not have called it missing.
      expect(asked).toBeUndefined();
      return;
    }
    expect(asked).toBeInstanceOf(FaultUnsupportedError);
    expect((asked as FaultUnsupportedError).reason).toBe((injected as FaultUnsupportedError).reason);
  });

  it("latency needs netem: applied where the kernel has it, otherwise reported as unsupported (skipped)", async ({
    lab,
    skip,
  }) => {
    const f = latency("node1-db", 100);
    try {
      await f.inject(lab);
    } catch (err) {
      expect(err).toBeInstanceOf(FaultUnsupportedError);
      expect((err as FaultUnsupportedError).reason).toContain("netem");
      skip((err as FaultUnsupportedError).reason);
    }
    expect((await inNetns(lab, "node1-db", "tc qdisc show dev eth0")).output).toContain("netem");
    await healTwice(lab, f);
  });
});
