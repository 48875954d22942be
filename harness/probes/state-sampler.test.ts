import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import mysql from "mysql2";
import { afterEach, describe, expect, it } from "vitest";
import type { HistoryEvent } from "../history/history.ts";
import { HistoryRecorder } from "../history/history-file.ts";
import type { DbEndpoint } from "../lab/lab.ts";
import { markOf } from "../report/html/event-kinds.ts";
import { lanes } from "../report/html/series.ts";
import { DatabaseReader } from "./database-reader.ts";
import { haproxyReader, type ServerStatesReader } from "./haproxy-server-states.ts";
import type { ReplicationReader, ReplicationSample } from "./replication-sample.ts";
import {
  replicationRunningBoth,
  replicationStateAt,
  serverStateAt,
  whenReplicationRunningBoth,
  whenServerState,
} from "./sampled-states.ts";
import { StateSampler } from "./state-sampler.ts";

/** What the tests use of mysql2's (untyped) server-side connection. */
interface FakeServerConnection {
  stream: Socket;
  sequenceId: number;
  on(event: "error", l: (err: Error) => void): void;
  on(event: "query", l: (sql: string) => void): void;
  serverHandshake(args: object): void;
  writeTextResult(rows: object[], columns: object[]): void;
}

const YES: ReplicationSample = { io: "Yes", sql: true, lastErrno: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reader that answers each poll with the next scripted value (the last one repeats); an Error is thrown. */
function scripted<T>(values: (T | Error)[]): { read: () => Promise<T>; calls: () => number } {
  let i = 0;
  return {
    read: async () => {
      const v = values[Math.min(i++, values.length - 1)] as T | Error;
      if (v instanceof Error) throw v;
      return v;
    },
    calls: () => i,
  };
}

const ofType = <K extends HistoryEvent["type"]>(h: readonly HistoryEvent[], type: K) =>
  h.filter((e): e is Extract<HistoryEvent, { type: K }> => e.type === type);

const toStop: StateSampler[] = [];
afterEach(async () => {
  await Promise.all(toStop.splice(0).map((s) => s.stop()));
});

/** A sampler that polls only when told (start, sync, stop): the interval is far longer than a test. */
function manual(o: {
  readServerStates: ServerStatesReader;
  readReplication: ReplicationReader;
  timeoutMs?: number;
}) {
  const history = new HistoryRecorder("t");
  const sampler = new StateSampler({ history, intervalMs: 600_000, ...o });
  toStop.push(sampler);
  return { history, sampler };
}

describe("StateSampler", () => {
  it("writes a state on the first poll and then only when it changes", async () => {
    const haproxy = scripted<Record<string, string>>([
      { node1: "UP", node2: "UP" },
      { node1: "UP", node2: "UP" },
      { node1: "DOWN", node2: "UP" },
      { node1: "DOWN", node2: "UP" },
      { node1: "UP", node2: "UP" },
    ]);
    const node2 = scripted<ReplicationSample>([
      YES,
      YES,
      { io: "Connecting", sql: true, lastErrno: 0 },
      { io: "Yes", sql: false, lastErrno: 1062, lastError: "Duplicate entry 'a'" },
      // Another statement failing with the same errno: not a change of state.
      { io: "Yes", sql: false, lastErrno: 1062, lastError: "Duplicate entry 'b'" },
    ]);
    const { history, sampler } = manual({
      readServerStates: haproxy.read,
      readReplication: async (node) => (node === "node2" ? node2.read() : YES),
    });
    await sampler.start();
    for (let i = 0; i < 4; i++) await sampler.sync();
    await sampler.stop();

    expect(haproxy.calls()).toBe(6); // start, four syncs, stop's last sample
    const states = ofType(history.events, "server-state");
    expect(states.map((e) => [e.server, e.state])).toEqual([
      ["node1", "UP"],
      ["node2", "UP"],
      ["node1", "DOWN"],
      ["node1", "UP"],
    ]);
    const repl = ofType(history.events, "replication-state");
    expect(repl.filter((e) => e.node === "node1")).toHaveLength(1);
    expect(
      repl
        .filter((e) => e.node === "node2")
        .map(({ io, sql, lastErrno, lastError }) => ({ io, sql, lastErrno, lastError })),
    ).toEqual([
      { io: "Yes", sql: true, lastErrno: 0, lastError: undefined },
      { io: "Connecting", sql: true, lastErrno: 0, lastError: undefined },
      { io: "Yes", sql: false, lastErrno: 1062, lastError: "Duplicate entry 'a'" },
    ]);
    // Every event lands in time order per lane (the report's lanes rely on it).
    const times = states.filter((e) => e.server === "node1").map((e) => e.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("writes a probe per source on the first poll and on every ok↔error change; a lost source is a state", async () => {
    const haproxy = scripted<Record<string, string>>([
      { node1: "UP", node2: "UP" },
      new Error("connect ECONNREFUSED 127.0.0.1:8404"),
      new Error("connect ECONNREFUSED 127.0.0.1:8404"),
      { node1: "UP", node2: "UP" },
    ]);
    const node1 = scripted<ReplicationSample | undefined>([
      YES,
      new Error("connect ECONNREFUSED 127.0.0.1:3306"),
      new Error("connect ETIMEDOUT"),
      YES,
    ]);
    const { history, sampler } = manual({
      readServerStates: haproxy.read,
      readReplication: async (node) => (node === "node1" ? node1.read() : undefined),
    });
    await sampler.start();
    for (let i = 0; i < 3; i++) await sampler.sync();

    // Sources poll independently: order within a source is fixed, across sources it is not.
    const probes = (source: string) =>
      ofType(history.events, "probe")
        .filter((e) => e.source === source)
        .map(({ ok, error }) => (ok ? "ok" : `error: ${error}`));
    expect(probes("haproxy-metrics")).toEqual(["ok", "error: connect ECONNREFUSED 127.0.0.1:8404", "ok"]);
    // The second, different error is no new probe event: only ok↔error changes are.
    expect(probes("node1-db")).toEqual(["ok", "error: connect ECONNREFUSED 127.0.0.1:3306", "ok"]);
    expect(probes("node2-db")).toEqual(["ok"]);
    // HAProxy's metrics lost: its servers are "unknown" until they answer, not the last state seen.
    expect(ofType(history.events, "server-state").map((e) => `${e.server} ${e.state}`)).toEqual([
      "node1 UP",
      "node2 UP",
      "node1 unknown",
      "node2 unknown",
      "node1 UP",
      "node2 UP",
    ]);
    const repl = (node: string) =>
      ofType(history.events, "replication-state")
        .filter((e) => e.node === node)
        .map((e) => `${e.io} ${e.sql}`);
    expect(repl("node1")).toEqual(["Yes true", "unreachable false", "Yes true"]);
    expect(repl("node2")).toEqual(["not configured false"]);
  });

  it("a hung read is given up after its timeout, aborted, and never stalls the other sources", async () => {
    let aborted = 0;
    let haproxyPolls = 0;
    const history = new HistoryRecorder("t");
    const sampler = new StateSampler({
      history,
      intervalMs: 20,
      timeoutMs: 100,
      readServerStates: async () => {
        haproxyPolls++;
        return { node1: "UP", node2: "UP" };
      },
      // node1's database froze: its reads never answer, they only notice the abort.
      readReplication: (node, signal) =>
        node === "node1"
          ? new Promise((_, reject) =>
              signal.addEventListener("abort", () => {
                aborted++;
                reject(new Error("aborted"));
              }),
            )
          : Promise.resolve(YES),
    });
    toStop.push(sampler);
    const t0 = performance.now();
    await sampler.start();
    const firstPollMs = performance.now() - t0;
    // The first poll waited for the hung read only as long as its bound (timeout + 500 ms grace).
    expect(firstPollMs).toBeGreaterThanOrEqual(590);
    expect(firstPollMs).toBeLessThan(1500);
    expect(aborted).toBe(1);
    const probe = ofType(history.events, "probe").find((e) => e.source === "node1-db");
    expect(probe).toMatchObject({ ok: false, error: "no answer within 600 ms" });
    expect(replicationStateAt(history.events, "node1", history.now())?.io).toBe("unreachable");

    const before = haproxyPolls;
    await sleep(700);
    // HAProxy kept its own pace (every ~20 ms) while node1's database took 600 ms a read.
    expect(haproxyPolls - before).toBeGreaterThan(10);
    await sampler.stop();
    expect(aborted).toBeGreaterThanOrEqual(2);
    expect(sampler.stats()["node1-db"]!.maxMs).toBeLessThan(1000);
  });

  it("a read given up on that answers late writes nothing", async () => {
    let late: ((v: ReplicationSample) => void) | undefined;
    const { history, sampler } = manual({
      timeoutMs: 10,
      readServerStates: async () => ({ node1: "UP", node2: "UP" }),
      readReplication: (node) => (node === "node1" ? new Promise((r) => (late = r)) : Promise.resolve(YES)),
    });
    await sampler.start();
    const before = history.events.length;
    late!({ io: "No", sql: false, lastErrno: 0 });
    await sleep(10);
    expect(history.events.length).toBe(before);
    expect(replicationStateAt(history.events, "node1", history.now())?.io).toBe("unreachable");
  });

  it("never runs two polls of one source at once, whatever start, sync and the timer ask", async () => {
    let inFlight = 0;
    let most = 0;
    const history = new HistoryRecorder("t");
    const sampler = new StateSampler({
      history,
      intervalMs: 1,
      readServerStates: async () => {
        most = Math.max(most, ++inFlight);
        await sleep(15);
        inFlight--;
        return { node1: "UP", node2: "UP" };
      },
      readReplication: async () => YES,
    });
    toStop.push(sampler);
    await sampler.start();
    await Promise.all([sampler.sync(), sampler.sync(), sleep(50), sampler.sync()]);
    await sampler.stop();
    expect(most).toBe(1);
  });

  it("start() resolves once the first poll of every source is in the history", async () => {
    const history = new HistoryRecorder("t");
    const sampler = new StateSampler({
      history,
      intervalMs: 600_000,
      readServerStates: async () => {
        await sleep(50);
        return { node1: "UP", node2: "UP" };
      },
      readReplication: async () => {
        await sleep(80);
        return YES;
      },
    });
    toStop.push(sampler);
    const started = sampler.start();
    expect(ofType(history.events, "server-state")).toHaveLength(0);
    expect(await started).toBe(sampler);
    await sampler.ready();
    const now = history.now();
    expect(serverStateAt(history.events, "node1", now)).toBe("UP");
    expect(replicationRunningBoth(history.events, now)).toBe(true);
    expect(ofType(history.events, "probe")).toHaveLength(3);
  });

  it("stop() is idempotent: one last sample, then no poll ever again", async () => {
    const haproxy = scripted<Record<string, string>>([{ node1: "UP", node2: "UP" }]);
    const history = new HistoryRecorder("t");
    const sampler = new StateSampler({
      history,
      intervalMs: 5,
      readServerStates: haproxy.read,
      readReplication: async () => YES,
    });
    await sampler.start();
    await sleep(30);
    const first = sampler.stop();
    expect(sampler.stop()).toBe(first);
    await first;
    const calls = haproxy.calls();
    await sampler.stop();
    await sampler.sync();
    await sleep(50);
    expect(haproxy.calls()).toBe(calls);

    const never = scripted<Record<string, string>>([{}]);
    const unused = new StateSampler({
      history,
      readServerStates: never.read,
      readReplication: async () => YES,
    });
    await unused.stop();
    await unused.stop();
    expect(never.calls()).toBe(0);
  });

  it("stops itself after maxSeconds", async () => {
    const haproxy = scripted<Record<string, string>>([{ node1: "UP", node2: "UP" }]);
    const sampler = new StateSampler({
      history: new HistoryRecorder("t"),
      intervalMs: 5,
      maxSeconds: 0.05,
      readServerStates: haproxy.read,
      readReplication: async () => YES,
    });
    toStop.push(sampler);
    await sampler.start();
    await sleep(150);
    const calls = haproxy.calls();
    await sleep(60);
    expect(sampler.expired).toBe(true);
    expect(haproxy.calls()).toBe(calls);
  });

  it("the report draws what it samples: HAProxy and replication lanes, a red lane for an unreachable database", async () => {
    const node1 = scripted<ReplicationSample>([YES, new Error("connect ECONNREFUSED 127.0.0.1:3306"), YES]);
    const haproxy = scripted<Record<string, string>>([
      { node1: "UP", node2: "UP" },
      { node1: "DOWN", node2: "UP" },
      { node1: "UP", node2: "UP" },
    ]);
    const { history, sampler } = manual({
      readServerStates: haproxy.read,
      readReplication: async (node) => (node === "node1" ? node1.read() : YES),
    });
    await sampler.start();
    await sampler.sync();
    await sampler.sync();
    await sampler.stop();
    const drawn = lanes(history.events);
    expect(drawn.map((l) => l.name)).toEqual([
      "haproxy node1",
      "haproxy node2",
      "replication node1",
      "replication node2",
      "watching haproxy-metrics",
      "watching node1-db",
      "watching node2-db",
    ]);
    expect(drawn.find((l) => l.name === "haproxy node1")!.segments.map((s) => s.state)).toEqual([
      "UP",
      "DOWN",
      "UP",
    ]);
    const lost = history.events.find((e) => e.type === "replication-state" && e.io === "unreachable")!;
    expect(markOf(lost)).toMatchObject({ state: "IO unreachable, SQL No", color: "#d64545" });
  });
});

describe("default readers", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  async function listen<S extends Server>(server: S): Promise<number> {
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return (server.address() as AddressInfo).port;
  }
  const endpoint = (port: number): DbEndpoint => ({
    host: "127.0.0.1",
    port,
    user: "u",
    password: "p",
    rootPassword: "r",
    database: "d",
  });

  /**
   * A stand-in MariaDB (mysql2's server side) that answers SHOW SLAVE STATUS, or, as `behave` says
   * for the n-th connection, drops the connection or never answers.
   */
  async function fakeMariadb(behave: (nth: number) => "answer" | "drop" | "hang" = () => "answer") {
    const server = mysql.createServer(() => undefined);
    const closed: Promise<unknown>[] = [];
    let queries = 0;
    server.on("connection", (conn: FakeServerConnection) => {
      const nth = closed.length + 1;
      closed.push(once(conn.stream, "close"));
      conn.on("error", () => undefined);
      conn.serverHandshake({
        protocolVersion: 10,
        serverVersion: "10.11.19-MariaDB",
        connectionId: nth,
        statusFlags: 2,
        characterSet: 33,
        capabilityFlags: 0xffffff,
        // mysql2's server side never restarts its packet numbering: each reply is numbered by hand.
        authCallback: (_: unknown, done: (err: null) => void) => {
          done(null);
          conn.sequenceId = 0;
        },
      });
      conn.on("query", () => {
        queries++;
        const what = behave(nth);
        if (what === "drop") return conn.stream.destroy();
        if (what === "hang") return;
        const columns = ["Slave_IO_Running", "Slave_SQL_Running", "Last_SQL_Errno", "Last_SQL_Error"].map(
          (name) => ({
            catalog: "def",
            schema: "",
            table: "",
            orgTable: "",
            name,
            orgName: name,
            characterSet: 33,
            columnLength: 384,
            columnType: 253,
            flags: 0,
            decimals: 0,
          }),
        );
        conn.writeTextResult(
          [
            {
              Slave_IO_Running: "Yes",
              Slave_SQL_Running: "No",
              Last_SQL_Errno: "1062",
              Last_SQL_Error: "Duplicate entry",
            },
          ],
          columns,
        );
        conn.sequenceId = 0;
      });
    });
    const net = (server as unknown as { _server: Server })._server;
    const port = await listen(net);
    return {
      port,
      connections: () => closed.length,
      queries: () => queries,
      allClosed: () => Promise.all(closed),
    };
  }
  const expected = { io: "Yes", sql: false, lastErrno: 1062, lastError: "Duplicate entry" };

  it("keeps one connection per node across reads; close() QUITs it", async () => {
    const db = await fakeMariadb();
    const reader = new DatabaseReader({ node1: { db: endpoint(db.port) } }, 1000);
    for (let i = 0; i < 3; i++)
      expect(await reader.read("node1", new AbortController().signal)).toEqual(expected);
    expect(db.connections()).toBe(1);
    await reader.close();
    await db.allClosed();
  });

  it("a kept connection found dead is replaced within the same read (no false 'unreachable')", async () => {
    const db = await fakeMariadb((nth) => (nth === 1 && db.queries() > 1 ? "drop" : "answer"));
    const reader = new DatabaseReader({ node1: { db: endpoint(db.port) } }, 1000);
    expect(await reader.read("node1", new AbortController().signal)).toEqual(expected);
    // The server drops connection 1 when the second query arrives: the read answers on connection 2.
    expect(await reader.read("node1", new AbortController().signal)).toEqual(expected);
    expect(db.connections()).toBe(2);
    await reader.close();
    await db.allClosed();
  });

  it("a database that stops answering (frozen after connecting) fails the read after the query timeout, its connection closed", async () => {
    const db = await fakeMariadb((nth) => (nth === 1 && db.queries() > 1 ? "hang" : "answer"));
    const reader = new DatabaseReader({ node1: { db: endpoint(db.port) } }, 200);
    expect(await reader.read("node1", new AbortController().signal)).toEqual(expected);
    const t0 = performance.now();
    await expect(reader.read("node1", new AbortController().signal)).rejects.toThrow(/inactivity timeout/);
    expect(performance.now() - t0).toBeLessThan(1000);
    // No retry on a timeout (the database is frozen, not the connection stale); its socket is gone.
    expect(db.connections()).toBe(1);
    await db.allClosed();
    // The next read connects afresh.
    expect(await reader.read("node1", new AbortController().signal)).toEqual(expected);
    await reader.close();
  });

  it("the sampler with its default readers: states from HAProxy's metrics and both databases; stop() closes every connection", async () => {
    const db = await fakeMariadb();
    const haproxyPort = await listen(
      createHttpServer((_, res) =>
        res.end('haproxy_server_status{proxy="app",server="node1",state="UP"} 1\n'),
      ),
    );
    const node = { app: { url: "" }, exporter: { url: "" }, db: endpoint(db.port) };
    const history = new HistoryRecorder("t");
    const sampler = new StateSampler({
      history,
      intervalMs: 600_000,
      endpoints: {
        haproxy: {
          url: "",
          statsUrl: "",
          statsUser: "",
          statsPassword: "",
          metricsUrl: `http://127.0.0.1:${haproxyPort}/metrics`,
        },
        nodes: { node1: node, node2: node },
      },
    });
    await sampler.start();
    await sampler.sync();
    const now = history.now();
    expect(serverStateAt(history.events, "node1", now)).toBe("UP");
    expect(serverStateAt(history.events, "node2", now)).toBe("unknown"); // not in the metrics
    expect(replicationStateAt(history.events, "node2", now)).toMatchObject(expected);
    expect(db.connections()).toBe(2); // one kept per node, reused by the second poll
    await sampler.stop();
    await db.allClosed();
  });

  it("a database that accepts but never greets (frozen) fails after the connect timeout, its socket closed", async () => {
    const sockets: Socket[] = [];
    const closed: Promise<unknown>[] = [];
    const port = await listen(
      createServer((s) => {
        sockets.push(s);
        closed.push(once(s, "close"));
        s.on("error", () => undefined);
      }),
    );
    const read = new DatabaseReader({ node1: { db: endpoint(port) } }, 200).read;
    const t0 = performance.now();
    await expect(read("node1", new AbortController().signal)).rejects.toThrow(/ETIMEDOUT/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(sockets).toHaveLength(1);
    // No connection left behind: our side closed it, the server saw it go.
    await Promise.all(closed);
  });

  it("an abort closes the socket at once", async () => {
    const closed: Promise<unknown>[] = [];
    const port = await listen(createServer((s) => closed.push(once(s, "close"))));
    const read = new DatabaseReader({ node1: { db: endpoint(port) } }, 5000).read;
    const ac = new AbortController();
    const reading = read("node1", ac.signal);
    await sleep(50);
    ac.abort(new Error("no answer within 600 ms"));
    await expect(reading).rejects.toThrow("no answer within 600 ms");
    expect(closed).toHaveLength(1);
    // Closed by the abort itself, long before the reader's own 5 s connect timeout would.
    const t0 = performance.now();
    await Promise.all(closed);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("a refused connection fails fast", async () => {
    const port = await listen(createServer());
    await new Promise((r) => servers.pop()!.close(r));
    const read = new DatabaseReader({ node1: { db: endpoint(port) } }, 1000).read;
    await expect(read("node1", new AbortController().signal)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("HAProxy: asks for the server scope only and reads the backend's states", async () => {
    let asked = "";
    const port = await listen(
      createHttpServer((req, res) => {
        asked = req.url ?? "";
        res.end(
          [
            'haproxy_server_status{proxy="app",server="node1",state="DOWN"} 1',
            'haproxy_server_status{proxy="app",server="node1",state="UP"} 0',
            'haproxy_server_status{proxy="app",server="node2",state="UP"} 1',
          ].join("\n"),
        );
      }),
    );
    const read = haproxyReader(`http://127.0.0.1:${port}/metrics`);
    expect(await read(new AbortController().signal)).toEqual({ node1: "DOWN", node2: "UP" });
    expect(asked).toBe("/metrics?scope=server");
  });
});

describe("reading states back from a history", () => {
  const h: HistoryEvent[] = [
    { type: "start", time: 0, wallClock: "2026-11-25T00:00:00Z", runId: "t" },
    { type: "server-state", server: "node1", state: "UP", time: 100 },
    { type: "server-state", server: "node2", state: "UP", time: 100 },
    { type: "replication-state", node: "node1", io: "Yes", sql: true, lastErrno: 0, time: 120 },
    { type: "replication-state", node: "node2", io: "Yes", sql: true, lastErrno: 0, time: 130 },
    { type: "fault", phase: "inject", fault: "crash node1", time: 1000 },
    { type: "server-state", server: "node1", state: "DOWN", time: 1400 },
    { type: "replication-state", node: "node1", io: "unreachable", sql: false, lastErrno: 0, time: 1100 },
    { type: "replication-state", node: "node2", io: "Connecting", sql: true, lastErrno: 0, time: 5000 },
    { type: "fault", phase: "heal", fault: "crash node1", time: 8000 },
    { type: "server-state", server: "node1", state: "UP", time: 9000 },
    { type: "replication-state", node: "node1", io: "Yes", sql: true, lastErrno: 0, time: 9500 },
    // Appended out of time order (as backdated events can be): placed by its time, not its position.
    { type: "replication-state", node: "node2", io: "Yes", sql: true, lastErrno: 0, time: 9200 },
  ];

  it("serverStateAt: the last sample at or before the time; undefined before the first", () => {
    expect(serverStateAt(h, "node1", 50)).toBeUndefined();
    expect(serverStateAt(h, "node1", 100)).toBe("UP");
    expect(serverStateAt(h, "node1", 1399)).toBe("UP");
    expect(serverStateAt(h, "node1", 1400)).toBe("DOWN");
    expect(serverStateAt(h, "node1", 20_000)).toBe("UP");
    expect(serverStateAt(h, "node3", 20_000)).toBeUndefined();
  });

  it("replicationStateAt and replicationRunningBoth", () => {
    expect(replicationStateAt(h, "node1", 2000)).toMatchObject({ io: "unreachable", sql: false });
    expect(replicationStateAt(h, "node2", 9300)).toMatchObject({ io: "Yes", time: 9200 });
    expect(replicationRunningBoth(h, 125)).toBe(false); // node2 not sampled yet
    expect(replicationRunningBoth(h, 500)).toBe(true);
    expect(replicationRunningBoth(h, 1100)).toBe(false);
    expect(replicationRunningBoth(h, 9400)).toBe(false);
    expect(replicationRunningBoth(h, 9500)).toBe(true);
  });

  it("whenServerState and whenReplicationRunningBoth: first time at or after a moment", () => {
    expect(whenServerState(h, "node1", "DOWN", 1000)).toBe(1400);
    expect(whenServerState(h, "node1", "UP", 8000)).toBe(9000);
    expect(whenServerState(h, "node1", "UP", 500)).toBe(500);
    expect(whenServerState(h, "node2", "DOWN", 0)).toBeUndefined();
    expect(whenReplicationRunningBoth(h, 8000)).toBe(9500);
    expect(whenReplicationRunningBoth(h, 200)).toBe(200);
    expect(whenReplicationRunningBoth(h.slice(0, 10), 8000)).toBeUndefined();
  });
});
