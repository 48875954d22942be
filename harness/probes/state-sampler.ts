import type { HistoryEvent } from "../history/history.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { LabEndpoints } from "../lab/lab.ts";
import { DatabaseReader } from "./database-reader.ts";
import { haproxyReader, UNKNOWN, type ServerStatesReader } from "./haproxy-server-states.ts";
import {
  NOT_CONFIGURED,
  UNREACHABLE,
  type ReplicationReader,
  type ReplicationSample,
} from "./replication-sample.ts";
import { newSource, pollBounded, sourceStats, type Source, type SourceStats } from "./sampler-source.ts";

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

/**
 * Samples HAProxy's view of the backend servers and both databases' replication threads into a
 * drill's history: a `server-state` / `replication-state` event on the first poll and on every
 * change, and a `probe` event per source (`haproxy-metrics`, `<node>-db`) on the first poll and
 * whenever it goes from answering to failing or back. The report draws these as its HAProxy and
 * replication lanes; drills read them back with `serverStateAt` and friends (sampled-states.ts).
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
      newSource(
        "haproxy-metrics",
        (signal) => this.pollHaproxy(readStates, signal),
        () => this.haproxyLost(),
      ),
      ...this.nodes.map((node) =>
        newSource(
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
    return Object.fromEntries(this.sources.map((s) => [s.name, sourceStats(s)]));
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
    s.chain = s.chain.then(() => pollBounded(s, this.timeoutMs, (ok, error) => this.probe(s, ok, error)));
    return s.chain;
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
