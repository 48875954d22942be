import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../history/history-file.ts";
import { operations } from "../history/history.ts";
import { arrivalTimes, checkWorkloadOptions, runWorkload } from "./workload.ts";

async function server(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

const base = { maxOps: 10, concurrency: 4, timeoutMs: 300, tag: "t" };

describe("arrival schedule", () => {
  it("is a constant rate per phase, ramps phase by phase, and stops at maxOps", () => {
    expect(
      arrivalTimes(
        [
          { rate: 2, seconds: 2 },
          { rate: 4, seconds: 1 },
        ],
        100,
      ),
    ).toEqual([0, 500, 1000, 1500, 2000, 2250, 2500, 2750]);
    expect(arrivalTimes([{ rate: 1000, seconds: 10 }], 3)).toHaveLength(3);
  });
});

describe("workload options", () => {
  it.each([
    [
      { phases: [{ rate: -1, seconds: 1 }] },
      "rate must be a positive number of operations per second, not -1",
    ],
    [{ phases: [{ rate: 5, seconds: 4000 }] }, "workload lasts 4000 s, over the cap of 3600 s"],
    [{ phases: [] }, "workload needs at least one rate phase"],
    [{ phases: [{ rate: 5, seconds: 1 }], maxOps: 0 }, "maxOps must be a positive integer, not 0"],
  ])("refuses %o before sending anything", (o, message) => {
    expect(() =>
      checkWorkloadOptions({ ...base, ...o } as Parameters<typeof checkWorkloadOptions>[0]),
    ).toThrow(message);
  });
});

describe("outcomes in the history", () => {
  it("records ok with the answering node and the id", async () => {
    let id = 0;
    const s = await server((req, res) => {
      req.resume();
      req.on("end", () =>
        res
          .writeHead(201, { "content-type": "application/json", "x-served-by": "nodeX" })
          .end(JSON.stringify({ id: ++id })),
      );
    });
    const history = new HistoryRecorder("t");
    const r = await runWorkload({
      ...base,
      baseUrl: s.url,
      phases: [{ rate: 50, seconds: 0.1 }],
      mix: { "create-list": 1, "add-item": 0, "read-item": 0 },
      history,
    });
    await s.close();
    expect(r).toMatchObject({ invoked: 5, ok: 5, fail: 0, info: 0 });
    const oks = history.events.filter((e) => e.type === "ok");
    expect(oks.every((e) => e.type === "ok" && e.node === "nodeX")).toBe(true);
    expect(history.events.filter((e) => e.type === "invoke")).toHaveLength(5);
  });

  it("a refused connection is a definite fail; a timeout is info (the write may have happened)", async () => {
    const closed = await server(() => undefined);
    const refusedUrl = closed.url;
    await closed.close();
    const h1 = new HistoryRecorder("t");
    const refused = await runWorkload({
      ...base,
      baseUrl: refusedUrl,
      phases: [{ rate: 20, seconds: 0.1 }],
      mix: { "create-list": 1 },
      history: h1,
    });
    expect(refused).toMatchObject({ fail: 2, info: 0, ok: 0 });

    const hung = await server(() => undefined); // accepts, never answers
    const h2 = new HistoryRecorder("t");
    const timedOut = await runWorkload({
      ...base,
      baseUrl: hung.url,
      phases: [{ rate: 20, seconds: 0.1 }],
      mix: { "create-list": 1 },
      history: h2,
    });
    await hung.close();
    expect(timedOut).toMatchObject({ info: 2, fail: 0, ok: 0 });
  });

  it("drops arrivals beyond the concurrency cap instead of queueing them (open model)", async () => {
    const slow = await server((req, res) =>
      setTimeout(() => res.writeHead(404, { "x-served-by": "n" }).end("{}"), 200),
    );
    const r = await runWorkload({
      ...base,
      concurrency: 1,
      maxOps: 10,
      baseUrl: slow.url,
      phases: [{ rate: 100, seconds: 0.1 }],
      mix: { "create-list": 1 },
      history: new HistoryRecorder("t"),
    });
    await slow.close();
    expect(r.invoked).toBe(1);
    expect(r.dropped).toBe(9);
  });

  it("writes each dropped arrival to the history as a drop at the time it was due", async () => {
    const stalled = await server(() => undefined); // accepts, never answers: the one slot stays busy
    const history = new HistoryRecorder("t");
    const r = await runWorkload({
      ...base,
      concurrency: 1,
      maxOps: 10,
      timeoutMs: 400,
      baseUrl: stalled.url,
      phases: [{ rate: 100, seconds: 0.1 }],
      mix: { "create-list": 1 },
      history,
    });
    await stalled.close();
    const drops = history.events.filter((e) => e.type === "drop");
    expect(r.dropped).toBe(9);
    expect(drops).toHaveLength(9);
    expect(drops.map((d) => d.time)).toEqual(r.droppedAt);
    // Due times on the 10 ms schedule, not when the loop noticed: exactly 10 ms apart, the first
    // 10 ms after the arrival that was sent (invoked a moment after its own due time).
    drops.forEach((d, k) => expect(d.time - drops[0]!.time).toBeCloseTo(10 * k, 6));
    const sent = history.events.find((e) => e.type === "invoke")!.time;
    expect(drops[0]!.time - sent).toBeGreaterThan(7);
    expect(drops[0]!.time - sent).toBeLessThanOrEqual(10);
    // A drop is not an operation: nothing was sent.
    expect(operations(history.events)).toHaveLength(1);
  });
});
