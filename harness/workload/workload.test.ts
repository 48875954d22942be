import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../history/history-file.ts";
import { operations, type ReadItemValue } from "../history/history.ts";
import { fakeApp, localServer as server } from "./fake-app.ts";
import { arrivalTimes } from "./arrival-schedule.ts";
import { pickReadTarget, READ_RECENT_WINDOW } from "./read-target.ts";
import { checkWorkloadOptions } from "./workload-options.ts";
import { runWorkload } from "./workload.ts";

/** A seeded PRNG (mulberry32): the read-pick tests see the same draws on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
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
      // Not the 300 ms of the timeout tests: on a loaded 2-core machine an instant answer can take that long.
      timeoutMs: 5000,
      concurrency: 5,
      baseUrl: s.url,
      phases: [{ rate: 50, seconds: 0.1 }],
      mix: { "create-list": 1, "add-item": 0, "read-item": 0, "read-list": 0, "write-item": 0, txn: 0 },
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

describe("dropped arrivals, told apart", () => {
  it("counts as droppedLate the arrivals the generator itself reached late (its loop was blocked)", async () => {
    const stalled = await server(() => undefined); // the one slot stays busy: every later arrival drops
    const run = runWorkload({
      ...base,
      concurrency: 1,
      maxOps: 10,
      timeoutMs: 400,
      baseUrl: stalled.url,
      phases: [{ rate: 100, seconds: 0.1 }],
      mix: { "create-list": 1 },
      history: new HistoryRecorder("t"),
    });
    // Block this process for 60 ms right after the first arrival: those due meanwhile are reached late.
    const t0 = performance.now();
    while (performance.now() - t0 < 60);
    const r = await run;
    await stalled.close();
    expect(r.dropped).toBe(9);
    expect(r.droppedLate).toBeGreaterThanOrEqual(5);
    expect(r.droppedLate).toBeLessThanOrEqual(r.dropped);
  });
});

describe("stopping", () => {
  it("an abort stops the schedule at once (not at the next arrival) and waits for what is in flight", async () => {
    const app = await fakeApp();
    const history = new HistoryRecorder("t");
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const t0 = performance.now();
    const r = await runWorkload({
      ...base,
      timeoutMs: 5000,
      baseUrl: app.url,
      // The second arrival is due after 5 s: the abort must not wait for it.
      phases: [{ rate: 0.2, seconds: 10 }],
      mix: { "create-list": 1 },
      signal: stop.signal,
      history,
    });
    await app.close();
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r).toMatchObject({ invoked: 1, ok: 1, dropped: 0 });
    expect(operations(history.events).map((o) => o.completion?.type)).toEqual(["ok"]);
  });

  it("a base URL undici refuses is each operation's error, recorded, not a hang", async () => {
    const history = new HistoryRecorder("t");
    const r = await runWorkload({
      ...base,
      baseUrl: "http://127.0.0.1:notaport",
      phases: [{ rate: 20, seconds: 0.1 }],
      mix: { "create-list": 1 },
      history,
    });
    expect(r).toMatchObject({ invoked: 2, info: 2 });
    const completions = operations(history.events).map((o) => o.completion);
    expect(completions.map((c) => c?.type === "info" && c.error)).toEqual([
      "ERR_INVALID_URL: Invalid URL",
      "ERR_INVALID_URL: Invalid URL",
    ]);
  });
});

describe("which item a read targets", () => {
  const items = Array.from({ length: 200 }, (_, i) => i + 1);

  it("reaches old items as well as recent ones, about half each", () => {
    const random = seeded(1);
    const picks = Array.from({ length: 2000 }, () => pickReadTarget(items, random));
    expect(picks.every((id) => id >= 1 && id <= 200)).toBe(true);
    const old = picks.filter((id) => id <= 200 - READ_RECENT_WINDOW).length;
    // Half uniform over 200 (3/4 of those old) and half in the last 50: 3/8 old expected.
    expect(old / picks.length).toBeGreaterThan(0.3);
    expect(old / picks.length).toBeLessThan(0.45);
    // The oldest item is reachable at all (the last-50 scheme could never pick it).
    expect(picks.filter((id) => id <= 10).length).toBeGreaterThan(0);
  });

  it("stays within what exists when fewer items than the recent window are acknowledged", () => {
    const random = seeded(2);
    for (const n of [1, 2, 49, 50, 51]) {
      const few = items.slice(0, n);
      for (let k = 0; k < 200; k++) expect(few).toContain(pickReadTarget(few, random));
    }
  });

  it("in a run, reads items acknowledged long before, outside the last 50", async () => {
    const app = await fakeApp();
    const history = new HistoryRecorder("t");
    const r = await runWorkload({
      ...base,
      baseUrl: app.url,
      // Add-heavy, and concurrency far above what the local app needs, so a busy machine drops nothing.
      concurrency: 64,
      timeoutMs: 5000,
      maxOps: 1000,
      phases: [{ rate: 400, seconds: 2.5 }],
      mix: { "create-list": 0, "add-item": 3, "read-item": 1, "read-list": 0, "write-item": 0, txn: 0 },
      random: seeded(3),
      history,
    });
    await app.close();
    expect(r.fail + r.info).toBe(0);
    // Replay the history: which items were acknowledged when each read began.
    const acked: number[] = [];
    let lateReads = 0;
    let oldTargets = 0;
    for (const e of history.events) {
      if (e.type === "ok" && e.op === "add-item") acked.push((e.value as { id: number }).id);
      if (e.type === "invoke" && e.op === "read-item" && acked.length >= 200) {
        lateReads++;
        const recent = acked.slice(-READ_RECENT_WINDOW);
        if (!recent.includes((e.value as ReadItemValue).itemId)) oldTargets++;
      }
    }
    expect(lateReads).toBeGreaterThan(20);
    // With ≥ 200 acknowledged, ≥ 3/8 of reads expected outside the last 50; the old scheme gave none.
    expect(oldTargets / lateReads).toBeGreaterThan(0.15);
  });
});
