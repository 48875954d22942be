import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent } from "undici";
import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../history/history-file.ts";
import type { OpKind, OpValue } from "../history/history.ts";
import { localServer } from "./fake-app.ts";
import { sendOperation, type OperationTarget } from "./operation.ts";
import { runWorkload } from "./workload.ts";

/** What the server answers to each request path (`hang`: never). */
type Answer = { status: number; body: string | Buffer; headers?: Record<string, string | string[]> } | "hang";

const answers: Record<string, Answer> = {
  "/api/lists": { status: 201, body: '{"id":7}', headers: { "x-served-by": "node1" } },
  "/api/lists/7/items": { status: 201, body: '{"id":9}', headers: { "x-served-by": "node1" } },
  "/api/items/1": {
    status: 200,
    body: JSON.stringify({ id: 1, text: 'quote " backslash \\ newline \n tab \t é ✓ 😀 \u0001 \u2028' }),
    headers: { "x-served-by": "node1" },
  },
  // A lone surrogate escaped in the body: JSON.stringify escapes it again in the history.
  "/api/items/2": {
    status: 200,
    body: '{"id":2,"text":"lone \\ud800 end"}',
    headers: { "x-served-by": "node1" },
  },
  "/api/items/3": { status: 404, body: '{"detail":"Not found."}', headers: { "x-served-by": "node2" } },
  "/api/items/4": { status: 404, body: "<html>haproxy</html>" },
  "/api/items/5": { status: 200, body: Buffer.from('\ufeff{"id":5,"text":"after a BOM"}', "utf8") },
  "/api/items/6": { status: 200, body: '{"id":6}', headers: { "x-served-by": ["node1", "node2"] } },
  "/api/items/7": { status: 200, body: "", headers: { "x-served-by": "node1" } },
  "/api/items/8": "hang",
  "/api/lists/400/items": { status: 400, body: '{"text":["bad"]}', headers: { "x-served-by": "node1" } },
  "/api/lists/503/items": { status: 503, body: "<html>no server</html>" },
  "/api/lists/500/items": { status: 500, body: "Server Error", headers: { "x-served-by": "node2" } },
  "/api/lists/502/items": { status: 502, body: "<html>bad gateway</html>" },
  "/api/lists/201/items": { status: 201, body: "not json", headers: { "x-served-by": "node1" } },
  "/api/lists/8/items": "hang",
};

const cases: { kind: OpKind; value: OpValue; path: string; body?: string }[] = [
  { kind: "create-list", value: { title: "t-l0" }, path: "/api/lists", body: '{"title":"t-l0"}' },
  {
    kind: "create-list",
    value: { title: 'odd "title" \\ ü 😀' },
    path: "/api/lists",
    body: JSON.stringify({ title: 'odd "title" \\ ü 😀' }),
  },
  {
    kind: "add-item",
    value: { listId: 7, text: "t-i1" },
    path: "/api/lists/7/items",
    body: '{"text":"t-i1"}',
  },
  ...[1, 2, 3, 4, 5, 6, 7].map((id) => ({
    kind: "read-item" as const,
    value: { itemId: id },
    path: `/api/items/${id}`,
  })),
  { kind: "read-item", value: { itemId: 1, final: true }, path: "/api/items/1" },
  { kind: "read-item", value: { itemId: 3, final: true }, path: "/api/items/3" },
  ...[400, 503, 500, 502, 201].map((listId) => ({
    kind: "add-item" as const,
    value: { listId, text: "t-i2" },
    path: `/api/lists/${listId}/items`,
    body: '{"text":"t-i2"}',
  })),
  // Timeouts: a write's outcome is unknown (info), a read's is a fail.
  {
    kind: "add-item",
    value: { listId: 8, text: "t-i3" },
    path: "/api/lists/8/items",
    body: '{"text":"t-i3"}',
  },
  { kind: "read-item", value: { itemId: 8 }, path: "/api/items/8" },
];

/**
 * A history line with what differs from run to run made constant: times, latencies, the port in a
 * refused connection's message, the workload's random title prefix. What is left is every field the checkers and the report read.
 */
function normalized(line: string): string {
  return line
    .replace(/"(time|latencyMs)":[-0-9.e+]+/g, '"$1":0')
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")
    .replace(/"t-[0-9a-f]{6}-l/g, '"t-RANDOM-l');
}

/** Recorded from the request()-based implementation (commit f2ec510) on these answers, normalized and sorted. */
const before: string[] = [
  '{"process":0,"op":"create-list","time":0,"node":"node1","latencyMs":0,"type":"ok","value":{"title":"t-l0","id":7}}',
  '{"process":1,"op":"create-list","time":0,"node":"node1","latencyMs":0,"type":"ok","value":{"title":"odd \\"title\\" \\\\ \u00fc \ud83d\ude00","id":7}}',
  '{"process":10,"op":"read-item","time":0,"node":"node1","latencyMs":0,"type":"ok","value":{"itemId":1,"final":true,"text":"quote \\" backslash \\\\ newline \\n tab \\t \u00e9 \u2713 \ud83d\ude00 \\u0001 \u2028","found":true}}',
  '{"process":11,"op":"read-item","time":0,"node":"node2","latencyMs":0,"type":"ok","value":{"itemId":3,"final":true,"found":false}}',
  '{"process":12,"op":"add-item","time":0,"node":"node1","latencyMs":0,"type":"fail","value":{"listId":400,"text":"t-i2"},"error":"HTTP 400"}',
  '{"process":13,"op":"add-item","time":0,"latencyMs":0,"type":"fail","value":{"listId":503,"text":"t-i2"},"error":"HTTP 503"}',
  '{"process":14,"op":"add-item","time":0,"node":"node2","latencyMs":0,"type":"info","value":{"listId":500,"text":"t-i2"},"error":"HTTP 500 from node2"}',
  '{"process":15,"op":"add-item","time":0,"latencyMs":0,"type":"info","value":{"listId":502,"text":"t-i2"},"error":"HTTP 502"}',
  '{"process":16,"op":"add-item","time":0,"node":"node1","latencyMs":0,"type":"ok","value":{"listId":201,"text":"t-i2","id":null}}',
  '{"process":2,"op":"add-item","time":0,"node":"node1","latencyMs":0,"type":"ok","value":{"listId":7,"text":"t-i1","id":9}}',
  '{"process":3,"op":"read-item","time":0,"node":"node1","latencyMs":0,"type":"ok","value":{"itemId":1,"text":"quote \\" backslash \\\\ newline \\n tab \\t \u00e9 \u2713 \ud83d\ude00 \\u0001 \u2028","found":true}}',
  '{"process":4,"op":"read-item","time":0,"node":"node1","latencyMs":0,"type":"ok","value":{"itemId":2,"text":"lone \\ud800 end","found":true}}',
  '{"process":5,"op":"read-item","time":0,"node":"node2","latencyMs":0,"type":"ok","value":{"itemId":3,"found":false}}',
  '{"process":6,"op":"read-item","time":0,"latencyMs":0,"type":"fail","value":{"itemId":4},"error":"HTTP 404"}',
  '{"process":7,"op":"read-item","time":0,"latencyMs":0,"type":"ok","value":{"itemId":5,"text":"after a BOM","found":true}}',
  '{"process":8,"op":"read-item","time":0,"node":["node1","node2"],"latencyMs":0,"type":"ok","value":{"itemId":6,"text":"undefined","found":true}}',
  '{"process":9,"op":"read-item","time":0,"node":"node1","latencyMs":0,"type":"ok","value":{"itemId":7,"text":"undefined","found":true}}',
  '{"type":"fail","process":18,"op":"read-item","value":{"itemId":8},"time":0,"latencyMs":0,"error":"UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error"}',
  '{"type":"fail","process":92,"op":"create-list","value":{"title":"t-l9"},"time":0,"latencyMs":0,"error":"ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:PORT"}',
  '{"type":"fail","process":93,"op":"read-item","value":{"itemId":1},"time":0,"latencyMs":0,"error":"ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:PORT"}',
  '{"type":"info","process":0,"op":"create-list","value":{"title":"t-RANDOM-l0"},"time":0,"latencyMs":0,"error":"UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error"}',
  '{"type":"info","process":17,"op":"add-item","value":{"listId":8,"text":"t-i3"},"time":0,"latencyMs":0,"error":"UND_ERR_HEADERS_TIMEOUT: Headers Timeout Error"}',
  '{"type":"info","process":90,"op":"read-item","value":{"itemId":8,"final":true},"time":0,"latencyMs":0,"error":"aborted by the harness: deadline"}',
  '{"type":"info","process":91,"op":"read-item","value":{"itemId":8,"final":true},"time":0,"latencyMs":0,"error":"aborted by the harness: deadline \\"late\\""}',
  '{"type":"invoke","process":0,"op":"create-list","value":{"title":"t-RANDOM-l0"},"time":0}',
  '{"type":"invoke","process":0,"op":"create-list","value":{"title":"t-l0"},"time":0}',
  '{"type":"invoke","process":1,"op":"create-list","value":{"title":"odd \\"title\\" \\\\ \u00fc \ud83d\ude00"},"time":0}',
  '{"type":"invoke","process":10,"op":"read-item","value":{"itemId":1,"final":true},"time":0}',
  '{"type":"invoke","process":11,"op":"read-item","value":{"itemId":3,"final":true},"time":0}',
  '{"type":"invoke","process":12,"op":"add-item","value":{"listId":400,"text":"t-i2"},"time":0}',
  '{"type":"invoke","process":13,"op":"add-item","value":{"listId":503,"text":"t-i2"},"time":0}',
  '{"type":"invoke","process":14,"op":"add-item","value":{"listId":500,"text":"t-i2"},"time":0}',
  '{"type":"invoke","process":15,"op":"add-item","value":{"listId":502,"text":"t-i2"},"time":0}',
  '{"type":"invoke","process":16,"op":"add-item","value":{"listId":201,"text":"t-i2"},"time":0}',
  '{"type":"invoke","process":17,"op":"add-item","value":{"listId":8,"text":"t-i3"},"time":0}',
  '{"type":"invoke","process":18,"op":"read-item","value":{"itemId":8},"time":0}',
  '{"type":"invoke","process":2,"op":"add-item","value":{"listId":7,"text":"t-i1"},"time":0}',
  '{"type":"invoke","process":3,"op":"read-item","value":{"itemId":1},"time":0}',
  '{"type":"invoke","process":4,"op":"read-item","value":{"itemId":2},"time":0}',
  '{"type":"invoke","process":5,"op":"read-item","value":{"itemId":3},"time":0}',
  '{"type":"invoke","process":6,"op":"read-item","value":{"itemId":4},"time":0}',
  '{"type":"invoke","process":7,"op":"read-item","value":{"itemId":5},"time":0}',
  '{"type":"invoke","process":8,"op":"read-item","value":{"itemId":6},"time":0}',
  '{"type":"invoke","process":9,"op":"read-item","value":{"itemId":7},"time":0}',
  '{"type":"invoke","process":90,"op":"read-item","value":{"itemId":8,"final":true},"time":0}',
  '{"type":"invoke","process":91,"op":"read-item","value":{"itemId":8,"final":true},"time":0}',
  '{"type":"invoke","process":92,"op":"create-list","value":{"title":"t-l9"},"time":0}',
  '{"type":"invoke","process":93,"op":"read-item","value":{"itemId":1},"time":0}',
];

describe("history lines of the generator's operations", () => {
  it("are the lines the request()-based path wrote before, for every outcome the classification has", async () => {
    const s = await localServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const a = answers[req.url ?? ""];
        if (a === "hang") return;
        if (!a) return res.writeHead(418).end();
        res.writeHead(a.status, { "content-type": "application/json", ...a.headers }).end(a.body);
      });
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), "fd-op-"));
    const file = path.join(dir, "history.jsonl");
    const history = new HistoryRecorder("t", file);
    const agent = new Agent({ connections: 4, pipelining: 1 });
    // Generous for the answers (a loaded machine), short for the two that hang.
    const t: OperationTarget = { baseUrl: s.url, agent, timeoutMs: 5000, history };
    const hasty: OperationTarget = { ...t, timeoutMs: 300 };
    const done = await Promise.all(
      cases.map((c, i) =>
        sendOperation(i >= cases.length - 2 ? hasty : t, i, c.kind, c.value, c.path, c.body),
      ),
    );

    // Aborted by the harness (final reads' deadline): before connecting, and while waiting for the answer.
    const early = new AbortController();
    early.abort(new Error("deadline"));
    done.push(
      await sendOperation(
        t,
        90,
        "read-item",
        { itemId: 8, final: true },
        "/api/items/8",
        undefined,
        early.signal,
      ),
    );
    const late = new AbortController();
    const pending = sendOperation(
      t,
      91,
      "read-item",
      { itemId: 8, final: true },
      "/api/items/8",
      undefined,
      late.signal,
    );
    setTimeout(() => late.abort(new Error('deadline "late"')), 50);
    done.push(await pending);
    await agent.close();

    // Refused: nothing listens any more.
    const refusedUrl = s.url;
    await s.close();
    const refusedAgent = new Agent({ connections: 1 });
    const r: OperationTarget = { baseUrl: refusedUrl, agent: refusedAgent, timeoutMs: 300, history };
    done.push(await sendOperation(r, 92, "create-list", { title: "t-l9" }, "/api/lists", '{"title":"t-l9"}'));
    done.push(await sendOperation(r, 93, "read-item", { itemId: 1 }, "/api/items/1", undefined));
    await refusedAgent.close();

    // Drops, from the generator itself: the one slot hangs, the next arrivals find none free.
    const stalled = await localServer(() => undefined);
    const w = await runWorkload({
      baseUrl: stalled.url,
      phases: [{ rate: 100, seconds: 0.05 }],
      maxOps: 5,
      concurrency: 1,
      timeoutMs: 300,
      tag: "t",
      history,
    });
    await stalled.close();
    await history.close();

    // Every path the classification has was taken.
    const outcomes = done.map((c) => `${c.type} ${c.op} ${"error" in c ? c.error.replace(/:.*/, "") : ""}`);
    expect(outcomes).toEqual([
      "ok create-list ",
      "ok create-list ",
      "ok add-item ",
      "ok read-item ",
      "ok read-item ",
      "ok read-item ",
      "fail read-item HTTP 404",
      "ok read-item ",
      "ok read-item ",
      "ok read-item ",
      "ok read-item ",
      "ok read-item ",
      "fail add-item HTTP 400",
      "fail add-item HTTP 503",
      "info add-item HTTP 500 from node2",
      "info add-item HTTP 502",
      "ok add-item ",
      "info add-item UND_ERR_HEADERS_TIMEOUT",
      "fail read-item UND_ERR_HEADERS_TIMEOUT",
      "info read-item aborted by the harness",
      "info read-item aborted by the harness",
      "fail create-list ECONNREFUSED",
      "fail read-item ECONNREFUSED",
    ]);
    expect(done[3]!.value).toMatchObject({ found: true, text: expect.stringContaining('quote "') });
    expect(done[5]!.value).toEqual({ itemId: 3, found: false });
    expect(done[7]).toMatchObject({ value: { text: "after a BOM" } });
    expect(done[8]).toMatchObject({ node: ["node1", "node2"] });
    expect(done[9]).toMatchObject({ value: { text: "undefined", found: true } });
    expect(done[16]!.value).toEqual({ listId: 201, text: "t-i2", id: NaN });
    expect(w.dropped).toBeGreaterThan(0);
    expect(history.events.filter((e) => e.type === "drop")).toHaveLength(w.dropped);

    // The same lines as before this path went through undici's dispatch (recorded from the previous
    // implementation, request() and res.body.text(), on these very answers), times aside.
    const written = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith('{"type":"start"') && !l.startsWith('{"type":"drop"'))
      .map(normalized)
      .sort();
    expect(written).toEqual(before);

    // The file, line by line, against JSON.stringify of the events kept in memory.
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(history.events.length);
    history.events.forEach((e, i) => {
      expect(lines[i]).toBe(JSON.stringify(e));
      expect(JSON.parse(lines[i]!)).toEqual(JSON.parse(JSON.stringify(e)));
    });
  });
});
