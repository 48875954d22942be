import { setMaxListeners } from "node:events";
import { Agent } from "undici";
import type { HistoryRecorder } from "../history/history-file.ts";
import {
  operations,
  type AddItemValue,
  type CreateListValue,
  type OpKind,
  type OpValue,
  type TxnValue,
} from "../history/history.ts";
import { sendOperation, type OperationTarget } from "./operation.ts";

/**
 * Process ids of final reads are FINAL_READ_PROCESS_BASE + slot. `operations()` pairs a completion
 * with the open invoke of the same process; the workload numbers its slots 0..concurrency-1, so a
 * final read must never share an id with a workload operation still open (one whose completion the
 * history never got), or its completion would close the wrong operation.
 */
export const FINAL_READ_PROCESS_BASE = 1_000_000;
/**
 * Every item of any drill today, with room: crash-node1 acknowledges a few hundred; load-haproxy,
 * the largest, ~2700 in its ramp (6700 operations, 4 in 10 of them adds) plus its hold.
 */
export const DEFAULT_FINAL_READ_ITEMS = 5000;
export const DEFAULT_FINAL_READ_DEADLINE_MS = 60_000;

export interface FinalReadsOptions {
  /** HAProxy's URL: the reads go where the clients' reads go. */
  baseUrl: string;
  /**
   * The drill's history: the acknowledged items are read from its events (it must keep them in
   * memory, the default), and every final read is appended to it.
   */
  history: HistoryRecorder;
  /** Most reads in flight at once. */
  concurrency: number;
  /** Per request: connect, headers and body each. */
  timeoutMs: number;
  /**
   * At most this many items are read, and as many lists; over it, an evenly spaced sample (oldest
   * to newest). Default 5000.
   */
  maxItems?: number;
  /** Overall: no read starts after it and reads in flight are cut (recorded as info). Default 60 s. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface FinalReadsResult {
  /** Distinct items acknowledged in the history (an add or a transaction's append with an ok completion). */
  acknowledged: number;
  /** Distinct lists acknowledged in the history: each is read back whole too (the list-append checks' final state). */
  acknowledgedLists: number;
  /** Reads sent, items and lists: found + notFound + failed + aborted. */
  read: number;
  found: number;
  /** Answered "no such item" by a node: each one is a stale read for the checker (or an item lost). */
  notFound: number;
  /** No answer the checker can judge: an error status, a timeout, a refused connection (fail). */
  failed: number;
  /** Cut by the deadline or the signal while in flight (info: says nothing about the lab). */
  aborted: number;
  /** Acknowledged items and lists left out by `maxItems`. */
  overCap: number;
  /** Selected items not read because the deadline or the signal came first. */
  unreached: number;
  seconds: number;
}

/** Validates options before anything is sent: one clear message per mistake. */
export function checkFinalReadsOptions(
  o: Pick<FinalReadsOptions, "concurrency" | "timeoutMs" | "maxItems" | "deadlineMs">,
): void {
  if (!(o.concurrency > 0 && Number.isInteger(o.concurrency)))
    throw new Error(`concurrency must be a positive integer, not ${o.concurrency}`);
  if (!(o.timeoutMs > 0)) throw new Error(`timeoutMs must be positive, not ${o.timeoutMs}`);
  if (o.maxItems !== undefined && !(o.maxItems > 0 && Number.isInteger(o.maxItems)))
    throw new Error(`maxItems must be a positive integer, not ${o.maxItems}`);
  if (o.deadlineMs !== undefined && !(o.deadlineMs > 0))
    throw new Error(`deadlineMs must be positive, not ${o.deadlineMs}`);
}

/** Item ids acknowledged in the history (added, or appended by a transaction), in acknowledgement order, each once. */
export function acknowledgedItems(history: HistoryRecorder): number[] {
  const ids = new Set<number>();
  for (const { invoke, completion } of operations(history.events)) {
    if (completion?.type !== "ok") continue;
    if (invoke.op === "add-item") ids.add((completion.value as AddItemValue).id!);
    else if (invoke.op === "txn")
      for (const s of (completion.value as TxnValue).steps)
        if (s.f === "append" && s.id !== undefined) ids.add(s.id);
  }
  return [...ids];
}

/** List ids acknowledged in the history, in acknowledgement order. */
export function acknowledgedLists(history: HistoryRecorder): number[] {
  const ids = new Set<number>();
  for (const { invoke, completion } of operations(history.events))
    if (invoke.op === "create-list" && completion?.type === "ok")
      ids.add((completion.value as CreateListValue).id!);
  return [...ids];
}

/** `cap` ids spread evenly over `ids` (first included): old and recent items alike, never just one end. */
export function spread(ids: readonly number[], cap: number): number[] {
  if (ids.length <= cap) return [...ids];
  return Array.from({ length: cap }, (_, i) => ids[Math.floor((i * ids.length) / cap)]!);
}

/**
 * Once the drill's traffic is over, reads back every item acknowledged in the history through
 * HAProxy, each recorded as an ordinary `read-item` (value `{ itemId, final: true }`, the answering
 * node from X-Served-By), so the stale-reads checker judges them: an acknowledged item a node no
 * longer has is found here even if the workload never happened to read it. Then every acknowledged
 * list, whole (`read-list`, `final: true`): the state the consistency checker holds every append
 * and edit to.
 */
export async function finalReads(o: FinalReadsOptions): Promise<FinalReadsResult> {
  checkFinalReadsOptions(o);
  const t0 = o.history.now();
  const acked = acknowledgedItems(o.history);
  const lists = acknowledgedLists(o.history);
  const cap = o.maxItems ?? DEFAULT_FINAL_READ_ITEMS;
  const selectedItems = spread(acked, cap);
  const selectedLists = spread(lists, cap);
  const selected: { kind: OpKind; value: OpValue; path: string }[] = [
    ...selectedItems.map((itemId) => ({
      kind: "read-item" as const,
      value: { itemId, final: true },
      path: `/api/items/${itemId}`,
    })),
    ...selectedLists.map((listId) => ({
      kind: "read-list" as const,
      value: { listId, final: true },
      path: `/api/lists/${listId}/items`,
    })),
  ];
  const result: FinalReadsResult = {
    acknowledged: acked.length,
    acknowledgedLists: lists.length,
    read: 0,
    found: 0,
    notFound: 0,
    failed: 0,
    aborted: 0,
    overCap: acked.length + lists.length - selected.length,
    unreached: 0,
    seconds: 0,
  };

  // One signal for both ends: the deadline and the caller's.
  const stop = new AbortController();
  // Every read in flight listens to this one signal (undici adds a few listeners per request): more
  // than Node's default ten is expected here, not a leak.
  setMaxListeners(Math.max(10, 4 * o.concurrency), stop.signal);
  const deadlineMs = o.deadlineMs ?? DEFAULT_FINAL_READ_DEADLINE_MS;
  const deadline = setTimeout(
    () => stop.abort(new Error(`final reads' deadline of ${deadlineMs} ms`)),
    deadlineMs,
  );
  const onAbort = () => stop.abort(o.signal?.reason ?? new Error("aborted"));
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener("abort", onAbort, { once: true });

  const agent = new Agent({
    connections: o.concurrency,
    keepAliveTimeout: 4000,
    pipelining: 1,
    connect: { timeout: o.timeoutMs },
  });
  const target: OperationTarget = { baseUrl: o.baseUrl, agent, timeoutMs: o.timeoutMs, history: o.history };
  let next = 0;
  // A fixed pool of workers, each one process id: at most `concurrency` reads in flight.
  const worker = async (slot: number): Promise<void> => {
    while (!stop.signal.aborted && next < selected.length) {
      const read = selected[next++]!;
      result.read++;
      const c = await sendOperation(
        target,
        FINAL_READ_PROCESS_BASE + slot,
        read.kind,
        read.value,
        read.path,
        undefined,
        stop.signal,
      );
      if (c.type === "ok") {
        if ((c.value as { found?: boolean }).found) result.found++;
        else result.notFound++;
      } else if (c.type === "fail") result.failed++;
      else result.aborted++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(o.concurrency, selected.length) }, (_, i) => worker(i)));
  } finally {
    clearTimeout(deadline);
    o.signal?.removeEventListener("abort", onAbort);
    await agent.close();
  }
  result.unreached = selected.length - next;
  result.seconds = (o.history.now() - t0) / 1000;
  return result;
}
