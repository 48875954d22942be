import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../lab/lab.ts";
import { AppClient } from "../probes/app-client.ts";
import { fetchServerStates } from "../probes/haproxy-metrics.ts";
import { startTestLab } from "../testing/lab-fixture.ts";
import { waitUntil } from "../util/wait-until.ts";
import { freezeServer } from "./container-faults.ts";
import { FaultUnsupportedError, type Fault } from "./fault.ts";
import { requireSupported, targetOf } from "./fault-target.ts";
import { inNetns } from "./netadmin.ts";
import { bandwidthLimit, latency, packetLoss, partition } from "./network-faults.ts";

// Each fault against the running hardened lab: inject, see its effect, heal (twice: heal is
// idempotent), see the lab recover.
describe("faults against a running lab", () => {
  let lab: Lab;
  let client: AppClient;
  const servedBy = async () => (await client.home().catch(() => undefined))?.servedBy;
  const waitServedBy = (node: string, timeoutMs = 15_000) =>
    waitUntil(`traffic served by ${node}`, async () => ((await servedBy()) === node ? true : undefined), {
      timeoutMs,
      intervalMs: 100,
    });
  /**
   * A fault's observable effect: not seen on the healthy lab (else it proves nothing), then seen
   * within 15 s of the inject. Returns the evidence.
   */
  const notBefore = async (f: Fault) => expect(await f.effect!.watch(lab)()).toBeUndefined();
  const effectSeen = (f: Fault) => {
    const look = f.effect!.watch(lab);
    return waitUntil(`effect of ${f.name}: ${f.effect!.description}`, look, {
      timeoutMs: 15_000,
      intervalMs: 250,
    });
  };
  const healTwice = async (f: Fault) => {
    await f.heal(lab);
    await f.heal(lab);
  };
  /** Can `from` open a TCP connection to `alias`:3306 (or :8000)? Tried from inside `from`'s namespace. */
  const canConnect = async (from: string, alias: string, port: number) => {
    const ip = await lab.ipOf(alias);
    const r = await inNetns(
      lab,
      from,
      `timeout 2 bash -c '</dev/tcp/${ip}/${port}' && echo open || echo closed`,
    );
    return r.output.trim().endsWith("open");
  };

  beforeAll(async () => {
    lab = await startTestLab("hardened");
    client = new AppClient(lab.endpoints.haproxy.url, 3000);
  });
  afterAll(async () => {
    await lab?.down();
  });

  it("freeze node1: HAProxy sends traffic to node2; thaw: back to node1", async () => {
    const f = freezeServer("node1");
    await notBefore(f);
    await f.inject(lab);
    expect(await effectSeen(f)).toMatch(
      /node1-db: no greeting within 1000 ms; node1-exporter: .*; node1-app: /,
    );
    expect((await lab.container("node1-db").inspect()).State.Paused).toBe(true);
    await waitServedBy("node2");
    await healTwice(f);
    await waitServedBy("node1", 30_000);
  });

  it("partition control2 | node1: HAProxy cannot reach node1 and fails over; heal restores it", async () => {
    const f = partition("control2", "node1");
    await notBefore(f);
    await f.inject(lab);
    expect(await effectSeen(f)).toMatch(
      /^a TCP connect from haproxy to node1-db \([\d.]+:3306\) failed within 1 s$/,
    );
    expect(await canConnect("haproxy", "node1-app", 8000)).toBe(false);
    expect(await canConnect("haproxy", "node2-app", 8000)).toBe(true);
    await waitServedBy("node2");
    await healTwice(f);
    expect(await canConnect("haproxy", "node1-app", 8000)).toBe(true);
    await waitServedBy("node1", 30_000);
  });

  it("one-way partition node1 -> node2: node1 cannot open connections to node2, node2 still reaches node1", async () => {
    const f = partition("node1", "node2", "one-way");
    await notBefore(f);
    await f.inject(lab);
    expect(await effectSeen(f)).toContain("from node1-db to node2-db");
    expect(await canConnect("node1-app", "node2-db", 3306)).toBe(false);
    expect(await canConnect("node2-app", "node1-db", 3306)).toBe(true);
    await healTwice(f);
    expect(await canConnect("node1-app", "node2-db", 3306)).toBe(true);
  });

  it("100 % packet loss on node1's app: its health check fails and HAProxy marks it down", async () => {
    const f = packetLoss("node1-app", 100);
    await notBefore(f);
    await f.inject(lab);
    expect(await effectSeen(f)).toMatch(/^10 of 10 looks at node1-app unanswered/);
    await waitUntil(
      "node1 DOWN",
      async () =>
        (await fetchServerStates(lab.endpoints.haproxy.metricsUrl)).node1 === "DOWN" ? true : undefined,
      {
        timeoutMs: 15_000,
      },
    );
    await healTwice(f);
    await waitServedBy("node1", 30_000);
  });

  it("bandwidth limit installs a token bucket on the container's interface and heal removes it", async () => {
    const f = bandwidthLimit("node1-db", 512);
    await notBefore(f);
    await f.inject(lab);
    expect(await effectSeen(f)).toMatch(/^256 KiB from node1-db at \d+ kbit\/s$/);
    expect((await inNetns(lab, "node1-db", "tc qdisc show dev eth0")).output).toMatch(/tbf .*rate 512Kbit/);
    await healTwice(f);
    expect((await inNetns(lab, "node1-db", "tc qdisc show dev eth0")).output).not.toContain("tbf");
  });

  it("a whole server's packet loss on a single engine: each of its containers drops, a peer's connects fail", async () => {
    const f = packetLoss("node2", 100);
    await notBefore(f);
    await f.inject(lab);
    expect(await effectSeen(f)).toMatch(
      /^10 of 10 TCP connects from control1 to node2-db \([\d.]+:3306\) failed within 1 s$/,
    );
    expect(await canConnect("node1-app", "node2-app", 8000)).toBe(false);
    await healTwice(f);
    expect(await canConnect("node1-app", "node2-app", 8000)).toBe(true);
    expect(await f.effect!.watch(lab)()).toBeUndefined();
  });

  it("needs are asked of the lab before anything is injected: netem here says what the inject would", async () => {
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

  it("latency needs netem: applied where the kernel has it, otherwise reported as unsupported (skipped)", async (ctx) => {
    const f = latency("node1-db", 100);
    try {
      await f.inject(lab);
    } catch (err) {
      expect(err).toBeInstanceOf(FaultUnsupportedError);
      expect((err as FaultUnsupportedError).reason).toContain("netem");
      ctx.skip((err as FaultUnsupportedError).reason);
    }
    expect((await inNetns(lab, "node1-db", "tc qdisc show dev eth0")).output).toContain("netem");
    await healTwice(f);
  });
});
