import { connect as netConnect, type Socket } from "node:net";
import mysql, { type RowDataPacket } from "mysql2";
import { request } from "undici";
import type { HistoryEvent, ReplicationStateEvent } from "../history/history.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { DbEndpoint, LabEndpoints } from "../lab/lab.ts";
import { describe } from "../util/errors.ts";
import { serverStates } from "./haproxy-metrics.ts";

/**
 * The replication threads of one node as the history records them. Besides SHOW SLAVE STATUS's own
 * values (`io` is Slave_IO_Running verbatim: "Yes", "No", "Connecting", …), two states of our own:
 * - `io: "unreachable"`, `sql: false`: the node's database did not answer (down, frozen, refused);
 *   the reason is in the `probe` event of `<node>-db` written at the same time. The report draws it
 *   red ("IO unreachable, SQL No"), like a stopped replica, which is what it is to its peer.
 * - `io: "not configured"`, `sql: false`: the database answered with an empty SHOW SLAVE STATUS.
 * `lastErrno` / `lastError` are the SQL thread's (Last_SQL_Errno / Last_SQL_Error, e.g. 1062 and
 * the failing statement); IO errors show as `io` leaving "Yes", not as an errno.
 */
export type ReplicationSample = Pick<ReplicationStateEvent, "io" | "sql" | "lastErrno" | "lastError">;

export const UNREACHABLE = "unreachable";
export const NOT_CONFIGURED = "not configured";
/** HAProxy's server state when its metrics did not answer or did not list the server. */
export const UNKNOWN = "unknown";

/** Reads HAProxy's state of every server of the watched backend; must give up when `signal` aborts. */
export type ServerStatesReader = (signal: AbortSignal) => Promise<Record<string, string>>;
/** Reads one node's replication threads (undefined: none configured); must give up when `signal` aborts. */
export type ReplicationReader = (node: string, signal: AbortSignal) => Promise<ReplicationSample | undefined>;

export interface StateSamplerOptions {
  history: Pick<HistoryRecorder, "append" | "now">;
  /** Where the default readers look (HAProxy's metrics, each node's database); not needed when both are injected. */
  endpoints?: Pick<LabEndpoints, "haproxy" | "nodes">;
  /** HAProxy backend whose servers are watched. */
  proxy?: string;
  servers?: readonly string[];
  nodes?: readonly string[];
  /** Pause between the end of one poll of a source and the start of its next. */
  intervalMs?: number;
  /**
   * Bound of one read: the default readers' connect and query timeout. The sampler itself aborts a
   * read that has not settled `timeoutMs + 500` ms after it began (the grace lets a reader's own,
   * more telling error win), so an injected reader that hangs cannot stall its source either.
   */
  timeoutMs?: number;
  /** A sampler left running stops itself after this long (every loop is bounded). */
  maxSeconds?: number;
  readServerStates?: ServerStatesReader;
  readReplication?: ReplicationReader;
}

interface Source {
  name: string;
  poll: (signal: AbortSignal) => Promise<void>;
  /** What the source's states become when it cannot be read. */
  onError: () => void;
  /** The poll under way or queued: every poll of this source chains on it, so two never overlap. */
  chain: Promise<void>;
  timer: NodeJS.Timeout | undefined;
  probeOk: boolean | undefined;
  polls: number;
  errors: number;
  totalMs: number;
  maxMs: number;
}

export interface SourceStats {
  polls: number;
  errors: number;
  /** Mean and worst duration of one read, in ms (the poll's cost). */
  meanMs: number;
  maxMs: number;
}

/**
 * Samples HAProxy's view of the backend servers and both databases' replication threads into a
 * drill's history: a `server-state` / `replication-state` event on the first poll and on every
 * change, and a `probe` event per source (`haproxy-metrics`, `<node>-db`) on the first poll and
 * whenever it goes from answering to failing or back. The report draws these as its HAProxy and
 * replication lanes; drills read them back with `serverStateAt` and friends.
 *
 * Each source polls in its own loop (one read at a time per source, the next `intervalMs` after the
 * last ended): a frozen database, whose reads take a full timeout, must not make HAProxy's lane
 * coarse, since that is exactly when HAProxy's state is interesting.
 */
export class StateSampler {
  private readonly sources: Source[];
  private readonly servers: readonly string[];
  private readonly nodes: readonly string[];
  private readonly lastServer = new Map<string, string>();
  private readonly lastReplication = new Map<string, string>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private deadline = Infinity;
  private firstPoll: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** The default database reader, whose kept connections stop() closes. */
  private readonly ownedReader: DatabaseReader | undefined;
  /** True once the sampler stopped itself at `maxSeconds` (a drill that ran that long should say so). */
  expired = false;

  constructor(private readonly o: StateSamplerOptions) {
    this.servers = o.servers ?? ["node1", "node2"];
    this.nodes = o.nodes ?? ["node1", "node2"];
    this.intervalMs = o.intervalMs ?? 250;
    this.timeoutMs = o.timeoutMs ?? 1000;
    const readStates = o.readServerStates ?? haproxyReader(this.need().haproxy.metricsUrl, o.proxy ?? "app");
    let readRepl: ReplicationReader;
    if (o.readReplication) readRepl = o.readReplication;
    else {
      this.ownedReader = new DatabaseReader(this.need().nodes, this.timeoutMs);
      readRepl = this.ownedReader.read;
    }
    this.sources = [
      this.source(
        "haproxy-metrics",
        (signal) => this.pollHaproxy(readStates, signal),
        () => this.haproxyLost(),
      ),
      ...this.nodes.map((node) =>
        this.source(
          `${node}-db`,
          (signal) => this.pollNode(node, readRepl, signal),
          () => this.nodeLost(node),
        ),
      ),
    ];
  }

  private need(): Pick<LabEndpoints, "haproxy" | "nodes"> {
    if (!this.o.endpoints)
      throw new Error("StateSampler: endpoints are needed unless both readers are given");
    return this.o.endpoints;
  }

  /**
   * Polls every source once, then keeps polling until stop() or `maxSeconds`. Resolves after the
   * first poll of every source, so the initial states (and probes) are in the history; calling it
   * again returns the same promise.
   */
  start(): Promise<this> {
    if (!this.firstPoll) {
      this.deadline = performance.now() + (this.o.maxSeconds ?? 1800) * 1000;
      this.firstPoll = Promise.all(
        this.sources.map(async (s) => {
          await this.enqueue(s);
          this.schedule(s);
        }),
      ).then(() => undefined);
    }
    return this.firstPoll.then(() => this);
  }

  /** The first poll of every source is in the history (what start() resolves on). */
  async ready(): Promise<void> {
    if (!this.firstPoll) throw new Error("StateSampler: ready() before start()");
    await this.firstPoll;
  }

  /** Polls every source once more now, after any poll under way (never alongside it). */
  async sync(): Promise<void> {
    if (this.stopping) return this.stopping;
    await Promise.all(this.sources.map((s) => this.enqueue(s)));
  }

  /**
   * Stops polling, waits for the polls under way and takes one last sample of every source (the
   * states the drill ended in). Idempotent: later calls return the first call's promise.
   */
  stop(): Promise<void> {
    if (!this.stopping) {
      const started = this.firstPoll !== undefined;
      for (const s of this.sources) clearTimeout(s.timer);
      this.stopping = (async () => {
        if (started) await Promise.all(this.sources.map((s) => this.enqueue(s, true)));
        await this.ownedReader?.close();
      })();
    }
    return this.stopping;
  }

  /** Per source: how many reads, how many failed, what one read cost. */
  stats(): Record<string, SourceStats> {
    return Object.fromEntries(
      this.sources.map((s) => [
        s.name,
        { polls: s.polls, errors: s.errors, meanMs: s.polls ? s.totalMs / s.polls : 0, maxMs: s.maxMs },
      ]),
    );
  }

  private source(name: string, poll: Source["poll"], onError: () => void): Source {
    return {
      name,
      poll,
      onError,
      chain: Promise.resolve(),
      timer: undefined,
      probeOk: undefined,
      polls: 0,
      errors: 0,
      totalMs: 0,
      maxMs: 0,
    };
  }

  private schedule(s: Source): void {
    if (this.stopping) return;
    if (performance.now() > this.deadline) {
      this.expired = true;
      return;
    }
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void this.enqueue(s).then(() => this.schedule(s));
    }, this.intervalMs);
  }

  /** Runs one poll of `s` after the one under way; a poll never throws (a failure is a probe event). */
  private enqueue(s: Source, final = false): Promise<void> {
    if (this.stopping && !final) return s.chain;
    s.chain = s.chain.then(() => this.pollBounded(s));
    return s.chain;
  }

  private async pollBounded(s: Source): Promise<void> {
    const ac = new AbortController();
    const graceMs = this.timeoutMs + 500;
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`no answer within ${graceMs} ms`);
        // Aborting tells the reader to close its socket: a read given up on leaves nothing open.
        ac.abort(err);
        reject(err);
      }, graceMs);
    });
    const t0 = performance.now();
    try {
      await Promise.race([s.poll(ac.signal), hung]);
      this.probe(s, true);
    } catch (err) {
      s.errors++;
      this.probe(s, false, describe(err).split("\n")[0] ?? "");
      s.onError();
    } finally {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      s.polls++;
      s.totalMs += ms;
      s.maxMs = Math.max(s.maxMs, ms);
    }
  }

  private probe(s: Source, ok: boolean, error?: string): void {
    if (s.probeOk === ok) return;
    s.probeOk = ok;
    this.append({
      type: "probe",
      source: s.name,
      ok,
      ...(error !== undefined ? { error } : {}),
      time: this.o.history.now(),
    });
  }

  private async pollHaproxy(read: ServerStatesReader, signal: AbortSignal): Promise<void> {
    const states = await read(signal);
    // A read given up on (timed out) that answers late must not write behind a newer poll.
    if (signal.aborted) return;
    const time = this.o.history.now();
    for (const server of this.servers) this.serverState(server, states[server] ?? UNKNOWN, time);
  }

  /** HAProxy's metrics did not answer: its servers' states are unknown until they do. */
  private haproxyLost(): void {
    const time = this.o.history.now();
    for (const server of this.servers) this.serverState(server, UNKNOWN, time);
  }

  private serverState(server: string, state: string, time: number): void {
    if (this.lastServer.get(server) === state) return;
    this.lastServer.set(server, state);
    this.append({ type: "server-state", server, state, time });
  }

  private async pollNode(node: string, read: ReplicationReader, signal: AbortSignal): Promise<void> {
    const sample = (await read(node, signal)) ?? { io: NOT_CONFIGURED, sql: false, lastErrno: 0 };
    if (signal.aborted) return;
    this.replicationState(node, sample, this.o.history.now());
  }

  private nodeLost(node: string): void {
    this.replicationState(node, { io: UNREACHABLE, sql: false, lastErrno: 0 }, this.o.history.now());
  }

  private replicationState(node: string, s: ReplicationSample, time: number): void {
    // The error text alone is not a change: one 1062 stop is one event, whatever the statement.
    const key = `${s.io}|${s.sql}|${s.lastErrno}`;
    if (this.lastReplication.get(node) === key) return;
    this.lastReplication.set(node, key);
    this.append({
      type: "replication-state",
      node,
      io: s.io,
      sql: s.sql,
      lastErrno: s.lastErrno,
      ...(s.lastErrno && s.lastError ? { lastError: s.lastError } : {}),
      time,
    });
  }

  private append(e: HistoryEvent): void {
    this.o.history.append(e);
  }
}

/** HAProxy's server states from its Prometheus endpoint (`scope=server`: only server metrics, a smaller page). */
export function haproxyReader(metricsUrl: string, proxy = "app"): ServerStatesReader {
  const url = new URL(metricsUrl);
  url.searchParams.set("scope", "server");
  return async (signal) => {
    const res = await request(url, { signal });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HAProxy metrics answered ${res.statusCode}`);
    return serverStates(text, proxy);
  };
}

interface Held {
  conn: mysql.Connection;
  socket: Socket;
}

/**
 * SHOW SLAVE STATUS on each node's database, over one connection per node kept between reads
 * (measured on the lab: 0.6 ms and 0.24 ms of CPU a read, against 6.7 ms and 2.2 ms for a fresh
 * connection each time; four reads a second per node add up on two shared cores).
 *
 * Not db/replication.ts's slaveState(): its connection (3 s connect timeout, no query timeout, a
 * polite QUIT) can stay open for as long as a paused database stays paused. Here every socket is
 * ours: a read that fails, times out or is aborted destroys its connection (the next read connects
 * afresh, bounded by `timeoutMs`), so a frozen database holds at most one socket, whatever it lasts.
 * A kept connection found dead (the server restarted, the engine's port proxy closed it) is
 * replaced within the same read, so a healthy database is never reported unreachable for it.
 */
export class DatabaseReader {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly nodes: Record<string, { db: DbEndpoint }>,
    private readonly timeoutMs = 1000,
  ) {}

  readonly read: ReplicationReader = async (node, signal) => {
    const db = this.nodes[node]?.db;
    if (!db) throw new Error(`no database endpoint for ${node}`);
    const kept = this.held.get(node);
    if (kept) {
      try {
        return await this.query(node, kept, signal);
      } catch (err) {
        // A timeout or an abort is the database's answer (frozen); anything else may be a stale connection.
        if (signal.aborted || (err as { code?: string }).code === "PROTOCOL_SEQUENCE_TIMEOUT") throw err;
      }
    }
    return this.query(node, await this.connect(node, db, signal), signal);
  };

  /** Closes every kept connection (QUIT, then destroyed if the server does not close it at once). */
  async close(): Promise<void> {
    const all = [...this.held.values()];
    this.held.clear();
    await Promise.all(
      all.map(
        (h) =>
          new Promise<void>((resolve) => {
            if (h.socket.destroyed) return resolve();
            const guard = setTimeout(() => h.socket.destroy(), Math.min(250, this.timeoutMs));
            h.socket.once("close", () => {
              clearTimeout(guard);
              resolve();
            });
            h.conn.end();
          }),
      ),
    );
  }

  private drop(node: string, h: Held): void {
    h.socket.destroy();
    if (this.held.get(node) === h) this.held.delete(node);
  }

  private connect(node: string, db: DbEndpoint, signal: AbortSignal): Promise<Held> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const socket = netConnect({ host: db.host, port: db.port });
      socket.setNoDelay(true);
      const conn = mysql.createConnection({
        stream: socket,
        user: "root",
        password: db.rootPassword,
        connectTimeout: this.timeoutMs,
      });
      const h = { conn, socket };
      const onAbort = () => fail(signal.reason);
      const fail = (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        this.drop(node, h);
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      // Whenever it happens (handshake, between reads), a connection-level error or close ends
      // this connection; unheard, the error event would crash the process.
      conn.on("error", (err) => fail(err));
      socket.once("close", () => this.drop(node, h));
      conn.once("connect", () => {
        signal.removeEventListener("abort", onAbort);
        this.held.set(node, h);
        resolve(h);
      });
    });
  }

  private query(node: string, h: Held, signal: AbortSignal): Promise<ReplicationSample | undefined> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const onAbort = () => {
        this.drop(node, h);
        reject(signal.reason as Error);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      h.conn.query<RowDataPacket[]>({ sql: "SHOW SLAVE STATUS", timeout: this.timeoutMs }, (err, rows) => {
        signal.removeEventListener("abort", onAbort);
        if (err) {
          this.drop(node, h);
          return reject(err);
        }
        const row = rows[0];
        if (!row) return resolve(undefined);
        const lastErrno = Number(row.Last_SQL_Errno ?? 0);
        const lastError = String(row.Last_SQL_Error ?? "");
        resolve({
          io: String(row.Slave_IO_Running),
          sql: row.Slave_SQL_Running === "Yes",
          lastErrno,
          ...(lastErrno && lastError ? { lastError } : {}),
        });
      });
    });
  }
}

// ---- Reading a history back (pure; for drills and checkers) ----

type ServerStateEvent = Extract<HistoryEvent, { type: "server-state" }>;

/** Events of one lane, in time order (stable: of two at one time, the later appended counts as later). */
function lane<E extends HistoryEvent>(
  history: readonly HistoryEvent[],
  pick: (e: HistoryEvent) => e is E,
): E[] {
  return history
    .map((e, i) => ({ e, i }))
    .filter((x): x is { e: E; i: number } => pick(x.e))
    .sort((a, b) => a.e.time - b.e.time || a.i - b.i)
    .map((x) => x.e);
}

/** The last event of a time-ordered lane at or before `time`. */
function lastAt<E extends HistoryEvent>(events: readonly E[], time: number): E | undefined {
  let found: E | undefined;
  for (const e of events) {
    if (e.time > time) break;
    found = e;
  }
  return found;
}

const serverLane = (history: readonly HistoryEvent[], server: string) =>
  lane(history, (e): e is ServerStateEvent => e.type === "server-state" && e.server === server);

const replicationLane = (history: readonly HistoryEvent[], node: string) =>
  lane(history, (e): e is ReplicationStateEvent => e.type === "replication-state" && e.node === node);

/** HAProxy's last sampled state of `server` at `time` (history ms), or undefined before the first sample. */
export function serverStateAt(
  history: readonly HistoryEvent[],
  server: string,
  time: number,
): string | undefined {
  return lastAt(serverLane(history, server), time)?.state;
}

/** The last sampled replication state of `node` at `time`, or undefined before the first sample. */
export function replicationStateAt(
  history: readonly HistoryEvent[],
  node: string,
  time: number,
): ReplicationStateEvent | undefined {
  return lastAt(replicationLane(history, node), time);
}

const running = (s: ReplicationStateEvent | undefined) => s?.io === "Yes" && s.sql;

/** Both threads running on every node at `time`, as last sampled (false when a node has no sample yet). */
export function replicationRunningBoth(
  history: readonly HistoryEvent[],
  time: number,
  nodes: readonly string[] = ["node1", "node2"],
): boolean {
  return nodes.every((n) => running(replicationStateAt(history, n, time)));
}

/**
 * The first time at or after `from` that HAProxy had `server` in `state`: `from` itself when it
 * already was, else the sample that changed it; undefined when it never was (e.g. node1 DOWN after
 * an inject, or UP again after the heal).
 */
export function whenServerState(
  history: readonly HistoryEvent[],
  server: string,
  state: string,
  from: number,
): number | undefined {
  const events = serverLane(history, server);
  if (lastAt(events, from)?.state === state) return from;
  return events.find((e) => e.time > from && e.state === state)?.time;
}

/** The first time at or after `from` that both threads ran on every node (e.g. replication back after a heal). */
export function whenReplicationRunningBoth(
  history: readonly HistoryEvent[],
  from: number,
  nodes: readonly string[] = ["node1", "node2"],
): number | undefined {
  if (replicationRunningBoth(history, from, nodes)) return from;
  const times = nodes
    .flatMap((n) => replicationLane(history, n))
    .map((e) => e.time)
    .filter((t) => t > from)
    .sort((a, b) => a - b);
  return times.find((t) => replicationRunningBoth(history, t, nodes));
}
