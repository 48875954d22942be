import type { HistoryEvent, ListedItem, OpKind, OpValue, TxnStep } from "../../history/history.ts";

interface Timing {
  /** Invoke time (history ms); default: 10 ms after the previous operation's. */
  at?: number;
  /** Answer time; default 5 ms after the invoke. */
  done?: number;
  outcome?: "ok" | "fail" | "info";
  node?: string;
  final?: boolean;
}

/**
 * Histories planted by hand for the consistency checker's tests and the benchmark: every call one
 * operation of one session (`p`), invoke then answer, with the value the app would have returned.
 */
export class PlantedHistory {
  readonly events: HistoryEvent[] = [
    { type: "start", time: 0, wallClock: "2026-12-07T00:00:00Z", runId: "t" },
  ];
  private clock = 0;

  op(p: number, kind: OpKind, sent: OpValue, answered: OpValue, t: Timing = {}): this {
    const at = t.at ?? (this.clock += 10);
    this.clock = Math.max(this.clock, at);
    const done = t.done ?? at + 5;
    const value = t.final ? { ...sent, final: true } : sent;
    this.events.push({ type: "invoke", process: p, op: kind, value, time: at });
    const base = { process: p, op: kind, time: done, node: t.node ?? "node1", latencyMs: done - at };
    const outcome = t.outcome ?? "ok";
    if (outcome === "ok")
      this.events.push({ ...base, type: "ok", value: t.final ? { ...answered, final: true } : answered });
    else
      this.events.push({ ...base, type: outcome, value, error: outcome === "info" ? "timeout" : "HTTP 404" });
    return this;
  }

  /** The invoke alone (its answer comes with `answer`): for operations that overlap. */
  begin(p: number, kind: OpKind, sent: OpValue, at: number): this {
    this.events.push({ type: "invoke", process: p, op: kind, value: sent, time: at });
    return this;
  }

  answer(p: number, kind: OpKind, answered: OpValue, at: number, node = "node1"): this {
    this.events.push({ type: "ok", process: p, op: kind, value: answered, time: at, node, latencyMs: 1 });
    return this;
  }

  add(p: number, listId: number, text: string, id: number, t?: Timing): this {
    return this.op(p, "add-item", { listId, text }, { listId, text, id }, t);
  }

  readList(p: number, listId: number, items: readonly (number | ListedItem)[] | undefined, t?: Timing): this {
    const listed = items?.map((i) => (typeof i === "number" ? { id: i, text: `x${i}`, done: false } : i));
    return this.op(
      p,
      "read-list",
      { listId },
      listed === undefined ? { listId, found: false } : { listId, items: listed, found: true },
      t,
    );
  }

  write(p: number, itemId: number, text: string, done = false, t?: Timing): this {
    return this.op(p, "write-item", { itemId, text, done }, { itemId, text, done }, t);
  }

  readItem(p: number, itemId: number, text: string | undefined, done = false, t?: Timing): this {
    return this.op(
      p,
      "read-item",
      { itemId },
      text === undefined ? { itemId, found: false } : { itemId, text, done, found: true },
      t,
    );
  }

  /** A transaction: `steps` as sent with what the app answered (reads' items, appends' ids). */
  txn(p: number, steps: readonly TxnStep[], t?: Timing): this {
    const sent: TxnStep[] = steps.map((s) =>
      s.f === "r" ? { f: "r", listId: s.listId } : { f: "append", listId: s.listId, text: s.text },
    );
    return this.op(p, "txn", { steps: sent }, { steps: [...steps] }, t);
  }
}

/** A list read's items in a transaction: ids with the texts `add` used in these tests (`x<id>`). */
export const items = (...ids: number[]): ListedItem[] =>
  ids.map((id) => ({ id, text: `x${id}`, done: false }));
