import { describe, expect, it } from "vitest";
import { checkStaleReads } from "../checkers/kinds/stale-reads.ts";
import { HistoryRecorder } from "../history/history-file.ts";
import { operations, type OpInvoke, type ReadItemValue } from "../history/history.ts";
import { fakeApp } from "./fake-app.ts";
import { checkFinalReadsOptions, FINAL_READ_PROCESS_BASE, finalReads, spread } from "./final-reads.ts";
import { runWorkload } from "./workload.ts";

/** Appends `n` acknowledged add-items (ids 1..n, text t-i<id>) to the history, as the workload would. */
function plantAcknowledged(history: HistoryRecorder, n: number, app?: { items: Map<number, string> }): void {
  for (let id = 1; id <= n; id++) {
    const value = { listId: 1, text: `t-i${id}` };
    history.append({ type: "invoke", process: 0, op: "add-item", value, time: history.now() });
    history.append({
      type: "ok",
      process: 0,
      op: "add-item",
      value: { ...value, id },
      time: history.now(),
      node: "node1",
      latencyMs: 1,
    });
    app?.items.set(id, value.text);
  }
}

const finalOps = (history: HistoryRecorder) =>
  operations(history.events).filter((o) => (o.invoke.value as ReadItemValue).final === true);

describe("final reads", () => {
  it("read every acknowledged item once, as final read-items the stale-reads checker judges", async () => {
    const app = await fakeApp("node1");
    const history = new HistoryRecorder("t");
    plantAcknowledged(history, 30, app);
    // Not acknowledged (refused, unknown outcome): nothing to read back.
    const value = { listId: 1, text: "t-never" };
    history.append({ type: "invoke", process: 1, op: "add-item", value, time: history.now() });
    history.append({
      type: "fail",
      process: 1,
      op: "add-item",
      value,
      time: history.now(),
      latencyMs: 1,
      error: "HTTP 400",
    });
    history.append({ type: "invoke", process: 2, op: "add-item", value, time: history.now() });
    history.append({
      type: "info",
      process: 2,
      op: "add-item",
      value,
      time: history.now(),
      latencyMs: 1,
      error: "HTTP 504",
    });

    const r = await finalReads({ baseUrl: app.url, history, concurrency: 4, timeoutMs: 5000 });
    await app.close();

    expect(r).toMatchObject({
      acknowledged: 30,
      read: 30,
      found: 30,
      notFound: 0,
      failed: 0,
      aborted: 0,
      overCap: 0,
      unreached: 0,
    });
    expect([...app.reads].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(app.maxInFlight()).toBeLessThanOrEqual(4);
    const ops = finalOps(history);
    expect(ops).toHaveLength(30);
    for (const { invoke, completion } of ops) {
      expect(invoke.op).toBe("read-item");
      expect(invoke.process).toBeGreaterThanOrEqual(FINAL_READ_PROCESS_BASE);
      expect(invoke.process).toBeLessThan(FINAL_READ_PROCESS_BASE + 4);
      expect(completion).toMatchObject({ type: "ok", node: "node1", value: { final: true, found: true } });
    }
    expect(checkStaleReads(history.events)).toMatchObject({
      valid: true,
      figures: { reads: 30, staleReads: 0 },
    });
  });

  it("an acknowledged item a node no longer has is found:false, and the checker calls it a stale read", async () => {
    // The workload writes (and never reads) through the fake app; then the app loses an old item.
    const app = await fakeApp("node2");
    const history = new HistoryRecorder("t");
    const w = await runWorkload({
      baseUrl: app.url,
      phases: [{ rate: 100, seconds: 0.3 }],
      maxOps: 30,
      concurrency: 16,
      timeoutMs: 5000,
      mix: { "create-list": 1, "add-item": 5, "read-item": 0, "read-list": 0, "write-item": 0, txn: 0 },
      tag: "t",
      history,
    });
    const lost = [...app.items.keys()][1]!;
    app.items.delete(lost);

    const r = await finalReads({ baseUrl: app.url, history, concurrency: 4, timeoutMs: 5000 });
    await app.close();

    expect(r.acknowledged).toBe(app.items.size + 1);
    expect(r).toMatchObject({
      read: r.acknowledged + r.acknowledgedLists,
      notFound: 1,
      found: r.acknowledged - 1 + r.acknowledgedLists,
      failed: 0,
    });
    expect(w.ok).toBeGreaterThan(r.acknowledged); // lists were created too: only items are read back
    const miss = finalOps(history).find((o) => (o.invoke.value as ReadItemValue).itemId === lost)!;
    expect(miss.completion).toMatchObject({
      type: "ok",
      node: "node2",
      value: { itemId: lost, final: true, found: false },
    });
    const verdict = checkStaleReads(history.events);
    expect(verdict.valid).toBe(false);
    expect(verdict.findings).toHaveLength(1);
    expect(verdict.findings[0]).toMatchObject({
      kind: "stale-read",
      evidence: { itemId: lost, node: "node2" },
    });
  });

  it("an error status or a timeout is a failed read (a read writes nothing), never a stale one", async () => {
    const app = await fakeApp();
    const history = new HistoryRecorder("t");
    plantAcknowledged(history, 4, app);
    app.onRead = (id) => ({ 1: 500, 2: "hang" as const, 3: 503 })[id];

    const r = await finalReads({ baseUrl: app.url, history, concurrency: 4, timeoutMs: 300 });
    await app.close();

    expect(r).toMatchObject({ read: 4, found: 1, notFound: 0, failed: 3, aborted: 0 });
    const byItem = new Map(
      finalOps(history).map((o) => [(o.invoke.value as ReadItemValue).itemId, o.completion]),
    );
    expect(byItem.get(1)).toMatchObject({ type: "fail", error: "HTTP 500" });
    expect(byItem.get(2)).toMatchObject({
      type: "fail",
      error: expect.stringMatching(/timeout/i) as unknown,
    });
    expect(byItem.get(3)).toMatchObject({ type: "fail", error: "HTTP 503" });
    expect(byItem.get(4)).toMatchObject({ type: "ok", value: { found: true } });
    expect(checkStaleReads(history.events)).toMatchObject({ valid: true, figures: { staleReads: 0 } });
  });

  it("reads at most maxItems, spread from the oldest acknowledged to the newest", async () => {
    const app = await fakeApp();
    const history = new HistoryRecorder("t");
    plantAcknowledged(history, 100, app);

    const r = await finalReads({ baseUrl: app.url, history, concurrency: 3, timeoutMs: 5000, maxItems: 10 });
    await app.close();

    expect(r).toMatchObject({ acknowledged: 100, read: 10, found: 10, overCap: 90, unreached: 0 });
    expect([...app.reads].sort((a, b) => a - b)).toEqual([1, 11, 21, 31, 41, 51, 61, 71, 81, 91]);
    expect(spread([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  it("stops at its deadline: reads in flight are cut (info), the rest never sent, every invoke completed", async () => {
    const app = await fakeApp();
    app.onRead = () => "hang";
    const history = new HistoryRecorder("t");
    plantAcknowledged(history, 20, app);

    const t0 = performance.now();
    const r = await finalReads({
      baseUrl: app.url,
      history,
      concurrency: 2,
      timeoutMs: 10_000,
      deadlineMs: 300,
    });
    const took = performance.now() - t0;
    await app.close();

    expect(took).toBeLessThan(3000); // the deadline, not the 10 s request timeout
    expect(r).toMatchObject({ read: 2, aborted: 2, failed: 0, found: 0, unreached: 18 });
    const ops = finalOps(history);
    expect(ops).toHaveLength(2);
    for (const o of ops)
      expect(o.completion).toMatchObject({
        type: "info",
        error: expect.stringContaining("deadline") as unknown,
      });
  });

  it("stops when the caller's signal aborts, and sends nothing when it already has", async () => {
    const app = await fakeApp();
    app.onRead = () => "hang";
    const history = new HistoryRecorder("t");
    plantAcknowledged(history, 5, app);

    const r = await finalReads({
      baseUrl: app.url,
      history,
      concurrency: 1,
      timeoutMs: 10_000,
      signal: AbortSignal.timeout(200),
    });
    expect(r).toMatchObject({ read: 1, aborted: 1, unreached: 4 });

    const before = app.reads.length;
    const none = await finalReads({
      baseUrl: app.url,
      history,
      concurrency: 1,
      timeoutMs: 10_000,
      signal: AbortSignal.abort(new Error("drill over")),
    });
    await app.close();
    expect(none).toMatchObject({ read: 0, unreached: 5 });
    expect(app.reads.length).toBe(before);
  });

  it("its process ids never pair with a workload operation still in flight", async () => {
    const app = await fakeApp();
    const history = new HistoryRecorder("t");
    plantAcknowledged(history, 3, app);
    // A workload read on process 0, invoked before the final reads and completed while they run:
    // with a shared process id, operations() would pair its completion with a final read's invoke.
    const open: OpInvoke = {
      type: "invoke",
      process: 0,
      op: "read-item",
      value: { itemId: 1 },
      time: history.now(),
    };
    history.append(open);
    let completed = false;
    app.onRead = () => {
      if (!completed) {
        completed = true;
        const value = { itemId: 1, text: "t-i1", found: true };
        history.append({ type: "ok", process: 0, op: "read-item", value, time: history.now(), latencyMs: 1 });
      }
      return undefined;
    };

    await finalReads({ baseUrl: app.url, history, concurrency: 3, timeoutMs: 5000 });
    await app.close();

    const ops = operations(history.events);
    expect((ops.find((o) => o.invoke === open)!.completion!.value as ReadItemValue).final).toBeUndefined();
    const finals = finalOps(history);
    expect(finals).toHaveLength(3);
    for (const o of finals) expect((o.completion!.value as ReadItemValue).final).toBe(true);
  });

  it.each([
    [{ concurrency: 0 }, "concurrency must be a positive integer, not 0"],
    [{ timeoutMs: 0 }, "timeoutMs must be positive, not 0"],
    [{ maxItems: 1.5 }, "maxItems must be a positive integer, not 1.5"],
    [{ deadlineMs: -1 }, "deadlineMs must be positive, not -1"],
  ])("refuses %o before sending anything", (o, message) => {
    expect(() => checkFinalReadsOptions({ concurrency: 2, timeoutMs: 100, ...o })).toThrow(message);
  });
});
