/**
 * A run's history, Jepsen-style: every operation is an `invoke` followed by `ok`, `fail` (it surely
 * did not happen) or `info` (outcome unknown: a timeout may hide a write that happened). Faults go
 * into the same history, so checkers see what broke when.
 */
export type OpKind = "create-list" | "add-item" | "read-item" | "read-list" | "write-item" | "txn";

export interface CreateListValue {
  title: string;
  id?: number;
}
export interface AddItemValue {
  listId: number;
  text: string;
  id?: number;
}
export interface ReadItemValue {
  itemId: number;
  /** The text read; undefined when the item was not found. */
  text?: string;
  /** Whether it was done, as read (apps from before items could be done leave it out). */
  done?: boolean;
  found?: boolean;
  /**
   * True on the reads `finalReads` makes of every acknowledged item once the drill's traffic is
   * over (judged like any read); absent on the workload's own reads.
   */
  final?: boolean;
}
/** An item as a list read returns it: its id, its text and whether it is done. */
export interface ListedItem {
  id: number;
  text: string;
  done: boolean;
}

/** A whole list read, its items in the app's order (by id). */
export interface ReadListValue {
  listId: number;
  items?: ListedItem[];
  /** False when the answering node had no such list (it may not have replicated yet). */
  found?: boolean;
  /** True on the read-back of every list once the drill's traffic is over. */
  final?: boolean;
}

/**
 * An edit of an item (PATCH): its text, unique to this write so a read names the write it saw,
 * and its done flag.
 */
export interface WriteItemValue {
  itemId: number;
  text: string;
  done: boolean;
}

/** One step of a transaction: read a whole list, or append an item (with a text unique to it). */
export type TxnStep =
  | { f: "r"; listId: number; items?: ListedItem[] }
  | { f: "append"; listId: number; text: string; id?: number };

/** Reads and appends on at most two lists in one database transaction. */
export interface TxnValue {
  steps: TxnStep[];
}

export type OpValue =
  CreateListValue | AddItemValue | ReadItemValue | ReadListValue | WriteItemValue | TxnValue;

interface OpBase {
  /** Logical client (one per in-flight slot); invoke and completion share it. */
  process: number;
  op: OpKind;
  value: OpValue;
  /** Milliseconds since the history began (monotonic clock). */
  time: number;
}

export type OpInvoke = OpBase & { type: "invoke" };
export type OpOk = OpBase & { type: "ok"; node?: string; latencyMs: number };
export type OpFail = OpBase & { type: "fail"; node?: string; latencyMs: number; error: string };
export type OpInfo = OpBase & { type: "info"; node?: string; latencyMs: number; error: string };

export interface FaultEvent {
  type: "fault";
  /**
   * `inject` and `heal` bracket the fault; `effect` is the first moment its observable effect was
   * seen (the `detail` is the evidence). A fault whose inject names an `effect` and that has no
   * `effect` event before its heal had no observable effect: the drill fails.
   */
  phase: "inject" | "heal" | "effect";
  fault: string;
  time: number;
  detail?: string;
  /** On `inject`: the observable effect the fault must have (e.g. "node1's app does not answer"). */
  effect?: string;
}

/**
 * An operator's repair the drill performed, e.g. restarting a replica's IO thread that had not
 * noticed its master was back: what was done, on which node. Whatever the drill judges after it
 * happened with that help, and the checkers say so.
 */
export interface RepairEvent {
  type: "repair";
  what: string;
  time: number;
}

/**
 * An arrival the open-model generator could not send because its concurrency cap was reached: load
 * the lab did not serve. Counted as a failed request, never as an operation (nothing was written).
 */
export interface DropEvent {
  type: "drop";
  time: number;
}

/**
 * Whether one of the harness's observers could reach what it watches (Prometheus, Grafana, the
 * webhook receiver, the databases, HAProxy's metrics): written on the first poll and on every
 * change, so a quiet alert can be told from a watcher that saw nothing.
 */
export interface ProbeEvent {
  type: "probe";
  source: string;
  ok: boolean;
  error?: string;
  time: number;
}

/** First line of every history: when it began on the wall clock, for reports and logs. */
export interface HistoryStart {
  type: "start";
  time: 0;
  wallClock: string;
  runId: string;
}

/** An alert changed state, as seen by polling Prometheus (or Grafana) during the drill. */
export interface AlertEvent {
  type: "alert";
  source: "prometheus" | "grafana";
  name: string;
  labels: Record<string, string>;
  state: "pending" | "firing" | "resolved";
  time: number;
}

/** A webhook delivery reached firedrill's receiver (from Alertmanager or Grafana). */
export interface NotificationEvent {
  type: "notification";
  source: "alertmanager" | "grafana";
  status: "firing" | "resolved";
  alerts: { name: string; labels: Record<string, string>; status: "firing" | "resolved" }[];
  time: number;
}

/** HAProxy's view of one backend server changed (sampled from its metrics). */
export interface ServerStateEvent {
  type: "server-state";
  server: string;
  state: string;
  time: number;
}

/** One node's replication threads changed (sampled from SHOW SLAVE STATUS). */
export interface ReplicationStateEvent {
  type: "replication-state";
  node: string;
  io: string;
  sql: boolean;
  lastErrno: number;
  lastError?: string;
  time: number;
}

export type HistoryEvent =
  | HistoryStart
  | OpInvoke
  | OpOk
  | OpFail
  | OpInfo
  | FaultEvent
  | AlertEvent
  | NotificationEvent
  | ServerStateEvent
  | ReplicationStateEvent
  | DropEvent
  | ProbeEvent
  | RepairEvent;
export type OpCompletion = OpOk | OpFail | OpInfo;

export function isCompletion(e: HistoryEvent): e is OpCompletion {
  return e.type === "ok" || e.type === "fail" || e.type === "info";
}

export interface Operation {
  invoke: OpInvoke;
  /** Undefined when the history ended before the operation completed (counts as info). */
  completion: OpCompletion | undefined;
}

/** Pairs each invoke with its completion by process (one operation in flight per process). */
export function operations(history: readonly HistoryEvent[]): Operation[] {
  const open = new Map<number, Operation>();
  const ops: Operation[] = [];
  for (const e of history) {
    if (e.type === "invoke") {
      const op = { invoke: e, completion: undefined };
      open.set(e.process, op);
      ops.push(op);
    } else if (isCompletion(e)) {
      const op = open.get(e.process);
      if (op) {
        op.completion = e;
        open.delete(e.process);
      }
    }
  }
  return ops;
}

export function faultEvents(history: readonly HistoryEvent[]): FaultEvent[] {
  return history.filter((e): e is FaultEvent => e.type === "fault");
}

/**
 * Each node's replication threads as last sampled at or before `at` (the sampler records changes
 * only, so the last one holds until the next): one reading for the steady state, the convergence
 * wait and anything else that asks.
 */
export function lastReplicationStates(
  history: readonly HistoryEvent[],
  at = Infinity,
): Map<string, ReplicationStateEvent> {
  const last = new Map<string, ReplicationStateEvent>();
  for (const e of history) if (e.type === "replication-state" && e.time <= at) last.set(e.node, e);
  return last;
}
