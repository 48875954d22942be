import type {
  AddItemValue,
  HistoryEvent,
  ListedItem,
  OpKind,
  OpValue,
  ReadItemValue,
  ReadListValue,
  TxnValue,
  WriteItemValue,
} from "../../history/history.ts";
import { Float64Column, Int32Column, Uint8Column } from "./growable.ts";

export const OP_KINDS: readonly OpKind[] = [
  "create-list",
  "add-item",
  "read-item",
  "read-list",
  "write-item",
  "txn",
];
/** An operation's outcome: info (unknown, or never answered), ok, fail. */
export const INFO = 0;
export const OK = 1;
export const FAIL = 2;
export const OUTCOMES = ["info", "ok", "fail"] as const;

/** Micro-operations, as Elle's: append to a list, read a whole list, write an item, read an item. */
export const APPEND = 0;
export const READ_LIST = 1;
export const WRITE = 2;
export const READ_ITEM = 3;

/** A read of an item that found none. */
export const NOT_FOUND = -1;
/** A value read that no write wrote: GARBAGE - i, i its index in `garbage`. */
export const GARBAGE = -2;
export const garbageIndex = (val: number) => GARBAGE - val;

/**
 * A history as columns of numbers: one row per operation (in invoke order) and one per
 * micro-operation. Built in one pass over the events (`add`, then `finish`), so a history read
 * line by line never has to be held as objects; every check works on these columns.
 *
 * Micro-operation columns: `mOp` its operation, `mF` what it does, `mKey` the list or item id, `mVal`
 * the element appended (item id; -1 until known) or the value written or read (an index into the
 * values; NOT_FOUND, or GARBAGE - i for the i-th text no write wrote), `mLen` a list read's length
 * (-1: the list was not found), an append's first text (a value index) or the done flag written or
 * read, `mAt` a list read's first element in `pool`.
 */
export class HistoryColumns {
  // Operations.
  readonly process = new Int32Column();
  readonly kind = new Uint8Column();
  readonly outcome = new Uint8Column();
  readonly node = new Uint8Column();
  readonly final = new Uint8Column();
  readonly invokedAt = new Float64Column();
  /** NaN where no answer came. */
  readonly completedAt = new Float64Column();
  /** First micro-operation and how many (appends and writes come at the invoke, reads at the answer). */
  readonly writesFrom = new Int32Column();
  readonly writesCount = new Uint8Column();
  readonly readsFrom = new Int32Column();
  readonly readsCount = new Uint8Column();
  // Micro-operations.
  readonly mOp = new Int32Column();
  readonly mF = new Uint8Column();
  readonly mKey = new Int32Column();
  readonly mVal = new Int32Column();
  readonly mLen = new Int32Column();
  readonly mAt = new Int32Column();
  /** Every list read's elements (item ids), one after another. */
  readonly pool = new Int32Column();
  // Values: every text written (an item's first text, an edit's) is unique to its write.
  readonly values = new Map<string, number>();
  readonly valueText: string[] = [];
  readonly valueMop = new Int32Column();
  readonly valueDone = new Uint8Column();
  /** Item id → the append that created it. */
  readonly appendOf = new Map<number, number>();
  /** Texts read that no write wrote. */
  readonly garbage: string[] = [];
  /** List elements (item ids) read but not known when read, with the text they showed. */
  private readonly unresolved = new Map<number, string>();
  /** Item ids read in a list that no append explains (with the text shown), once `finish` has run. */
  readonly unknownElements = new Map<number, string>();
  readonly nodes: string[] = [""];
  private readonly nodeIndex = new Map<string, number>();
  private readonly open = new Map<number, number>();
  private readonly openValue = new Map<number, OpValue>();
  private finished = false;

  get ops(): number {
    return this.process.length;
  }
  get mops(): number {
    return this.mOp.length;
  }

  add(e: HistoryEvent): void {
    if (e.type === "invoke") this.invoke(e.process, e.op, e.value, e.time);
    else if (e.type === "ok" || e.type === "fail" || e.type === "info") {
      const op = this.open.get(e.process);
      if (op === undefined) return;
      this.open.delete(e.process);
      this.openValue.delete(op);
      this.complete(op, e.type === "ok" ? OK : e.type === "fail" ? FAIL : INFO, e.value, e.time, e.node);
    }
  }

  /** Closes what never got an answer (info) and names every list element read. */
  finish(): this {
    if (this.finished) return this;
    this.finished = true;
    for (const [, op] of this.open) this.outcome.data[op] = INFO;
    this.open.clear();
    this.openValue.clear();
    for (const [id, text] of this.unresolved) {
      if (this.appendOf.has(id)) continue;
      // An append whose answer never said its id (info, fail): the text it was written with names it.
      const v = this.values.get(text);
      const m = v === undefined ? -1 : this.valueMop.data[v]!;
      if (m >= 0 && this.mF.data[m] === APPEND && this.mVal.data[m] === -1) {
        this.mVal.data[m] = id;
        this.appendOf.set(id, m);
      } else this.unknownElements.set(id, text);
    }
    this.unresolved.clear();
    // Half the room a doubling column grew is never used: given back before the analysis allocates.
    for (const column of Object.values(this))
      if (column instanceof Int32Column || column instanceof Float64Column || column instanceof Uint8Column)
        column.trim();
    return this;
  }

  private invoke(process: number, kind: OpKind, value: OpValue, time: number): void {
    const op = this.process.push(process);
    this.kind.push(OP_KINDS.indexOf(kind));
    this.outcome.push(INFO);
    this.node.push(0);
    this.final.push((value as { final?: boolean }).final ? 1 : 0);
    this.invokedAt.push(time);
    this.completedAt.push(NaN);
    this.readsFrom.push(-1);
    this.readsCount.push(0);
    this.writesFrom.push(this.mOp.length);
    let writes = 0;
    if (kind === "add-item") {
      const v = value as AddItemValue;
      this.writeMop(op, APPEND, v.listId, v.text, false);
      writes = 1;
    } else if (kind === "write-item") {
      const v = value as WriteItemValue;
      this.writeMop(op, WRITE, v.itemId, v.text, v.done);
      writes = 1;
    } else if (kind === "txn") {
      for (const s of (value as TxnValue).steps)
        if (s.f === "append") {
          this.writeMop(op, APPEND, s.listId, s.text, false);
          writes++;
        }
    }
    this.writesCount.push(writes);
    this.open.set(process, op);
    this.openValue.set(op, value);
  }

  /** An append or an edit: its value is registered at the invoke (a read can only see what was sent). */
  private writeMop(op: number, f: number, key: number, text: string, done: boolean): number {
    const v = this.valueText.length;
    // An edit holds its value and done flag; an append its element (once known) and its first text.
    const m = f === WRITE ? this.mop(op, f, key, v, done ? 1 : 0) : this.mop(op, f, key, -1, v);
    this.values.set(text, v);
    this.valueText.push(text);
    this.valueMop.push(m);
    this.valueDone.push(done ? 1 : 0);
    return m;
  }

  private mop(op: number, f: number, key: number, val: number, len: number): number {
    const m = this.mOp.push(op);
    this.mF.push(f);
    this.mKey.push(key);
    this.mVal.push(val);
    this.mLen.push(len);
    this.mAt.push(-1);
    return m;
  }

  private complete(
    op: number,
    outcome: number,
    value: OpValue,
    time: number,
    node: string | undefined,
  ): void {
    this.outcome.data[op] = outcome;
    this.completedAt.data[op] = time;
    this.node.data[op] = this.nodeId(node);
    if (outcome !== OK) return;
    const kind = OP_KINDS[this.kind.data[op]!];
    if (kind === "add-item") this.learnId(this.writesFrom.data[op]!, (value as AddItemValue).id);
    else if (kind === "read-item") {
      const v = value as ReadItemValue;
      this.readsFrom.data[op] = this.mOp.length;
      this.readsCount.data[op] = 1;
      this.mop(
        op,
        READ_ITEM,
        v.itemId,
        v.found === false ? NOT_FOUND : this.valueOf(v.text ?? ""),
        v.done ? 1 : 0,
      );
    } else if (kind === "read-list") {
      const v = value as ReadListValue;
      this.readsFrom.data[op] = this.mOp.length;
      this.readsCount.data[op] = 1;
      this.listRead(op, v.listId, v.found === false ? undefined : (v.items ?? []));
    } else if (kind === "txn") {
      let w = this.writesFrom.data[op]!;
      this.readsFrom.data[op] = this.mOp.length;
      let reads = 0;
      for (const s of (value as TxnValue).steps) {
        if (s.f === "append") this.learnId(w++, s.id);
        else {
          this.listRead(op, s.listId, s.items ?? []);
          reads++;
        }
      }
      this.readsCount.data[op] = reads;
    }
  }

  private learnId(m: number, id: number | undefined): void {
    if (id === undefined || !Number.isFinite(id)) return;
    this.mVal.data[m] = id;
    this.appendOf.set(id, m);
  }

  private listRead(op: number, listId: number, items: readonly ListedItem[] | undefined): void {
    const m = this.mop(op, READ_LIST, listId, 0, items === undefined ? -1 : items.length);
    this.mAt.data[m] = this.pool.length;
    for (const it of items ?? []) {
      this.pool.push(it.id);
      if (!this.appendOf.has(it.id) && !this.unresolved.has(it.id)) this.unresolved.set(it.id, it.text);
    }
  }

  private valueOf(text: string): number {
    const v = this.values.get(text);
    if (v !== undefined) return v;
    this.garbage.push(text);
    return GARBAGE - (this.garbage.length - 1);
  }

  private nodeId(node: string | undefined): number {
    if (!node) return 0;
    let i = this.nodeIndex.get(node);
    if (i === undefined) {
      i = this.nodes.push(node) - 1;
      this.nodeIndex.set(node, i);
    }
    return i;
  }
}

/** The columns of a history held in memory. */
export function columnsOf(history: Iterable<HistoryEvent>): HistoryColumns {
  const c = new HistoryColumns();
  for (const e of history) c.add(e);
  return c.finish();
}
