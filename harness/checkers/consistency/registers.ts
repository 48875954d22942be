import { APPEND, FAIL, GARBAGE, NOT_FOUND, OK, READ_ITEM, WRITE, type HistoryColumns } from "./columns.ts";
import { opName, valueName, type Found } from "./found.ts";
import { RW, WR, WW, type DependencyGraph } from "./graph.ts";

/** One item as a register: the append that created it (-1: unknown), its edits, its reads. */
export interface ItemKey {
  creation: number;
  edits: readonly number[];
  reads: readonly number[];
}

/** Most items are never edited or read alone: they share one empty list (half a million items). */
const NONE: readonly number[] = Object.freeze([]);

/** Every item written or read, by id. */
export function itemsOf(c: HistoryColumns): Map<number, ItemKey> {
  const items = new Map<number, ItemKey>();
  const get = (id: number) => {
    let k = items.get(id);
    if (!k) items.set(id, (k = { creation: c.appendOf.get(id) ?? -1, edits: NONE, reads: NONE }));
    return k;
  };
  for (let m = 0; m < c.mops; m++) {
    const f = c.mF.data[m];
    if (f === WRITE) {
      const k = get(c.mKey.data[m]!);
      if (k.edits === NONE) k.edits = [m];
      else (k.edits as number[]).push(m);
    } else if (f === READ_ITEM) {
      const k = get(c.mKey.data[m]!);
      if (k.reads === NONE) k.reads = [m];
      else (k.reads as number[]).push(m);
    }
  }
  for (const [id] of c.appendOf) get(id);
  return items;
}

/** The micro-operation that wrote value `v`, and whether it is an item's first value (its append). */
const writerOf = (c: HistoryColumns, v: number) => c.valueMop.data[v]!;
/** The item a write is of: an edit's key, an append's element. */
const itemOfWrite = (c: HistoryColumns, w: number) =>
  c.mF.data[w] === APPEND ? c.mVal.data[w]! : c.mKey.data[w]!;

/** A value some node ended with (`node`) or the final read saw: the item's last word. */
export interface FinalValue {
  /** A value index (or NOT_FOUND / GARBAGE), and its done flag. */
  value: number;
  done: number;
  /** Where it was seen: "the final read", "node2's database". */
  where: string;
  /** The operation that saw it; undefined for a database read at the end. */
  op?: number;
}

/**
 * Registers: each read shows a value its item's writes wrote (with their done flag), never one
 * from a failed write (G1a); the item's last values (final read, each node's database) are ones a
 * valid order of its writes can end on: not its first value once an edit was acknowledged, not a
 * value older in real time than an acknowledged edit (a lost update; out of the session's own
 * order: monotonic writes), and the same on both nodes. Dependencies: wr from the write a read
 * saw, ww from an item's creation to each edit, rw from a read of the first value to the only edit.
 */
export function checkRegisters(
  c: HistoryColumns,
  items: Map<number, ItemKey>,
  ends: Map<number, FinalValue[]>,
  found: Found,
  graph: DependencyGraph,
): void {
  for (const [id, k] of items) {
    const key = `item ${id}`;
    const creationOp = k.creation >= 0 ? c.mOp.data[k.creation]! : -1;
    const live = k.edits.filter((w) => c.outcome.data[c.mOp.data[w]!] !== FAIL);
    for (const w of k.edits) graph.add(creationOp, c.mOp.data[w]!, WW, id, true);
    for (const r of k.reads) {
      const op = c.mOp.data[r]!;
      const v = c.mVal.data[r]!;
      if (v === NOT_FOUND) continue;
      if (!valueOk(c, id, key, v, c.mLen.data[r]!, op, found)) continue;
      const w = writerOf(c, v);
      graph.add(c.mOp.data[w]!, op, WR, id, true);
      if (c.mF.data[w] === APPEND && live.length === 1) graph.add(op, c.mOp.data[live[0]!]!, RW, id, true);
    }
    const last: FinalValue[] = [];
    for (const r of k.reads) {
      const op = c.mOp.data[r]!;
      if (c.final.data[op] && c.mVal.data[r] !== NOT_FOUND)
        last[0] = { value: c.mVal.data[r]!, done: c.mLen.data[r]!, where: "the final read", op };
    }
    const atEnd = [...last, ...(ends.get(id) ?? [])];
    for (const f of atEnd) if (f.op === undefined) valueOk(c, id, key, f.value, f.done, -1, found, f.where);
    for (const f of atEnd)
      if (
        f.value >= 0 &&
        itemOfWrite(c, writerOf(c, f.value)) === id &&
        c.outcome.data[c.mOp.data[writerOf(c, f.value)]!] !== FAIL
      )
        finalValueOk(c, id, k, f, found);
    const nodes = (ends.get(id) ?? []).filter((f) => f.op === undefined);
    if (nodes.length === 2 && (nodes[0]!.value !== nodes[1]!.value || nodes[0]!.done !== nodes[1]!.done)) {
      const [a, b] = nodes as [FinalValue, FinalValue];
      const writers = [a, b].filter((f) => f.value >= 0).map((f) => c.mOp.data[writerOf(c, f.value)]!);
      found.add(
        "divergence",
        key,
        writers,
        () =>
          `item ${id} ends as ${valueName(c, a.value, a.done)} in ${a.where} and ${valueName(c, b.value, b.done)} in ${b.where}`,
      );
    }
  }
}

/** A value read (or found at the end) is one of this item's writes, as written, not a failed one. */
function valueOk(
  c: HistoryColumns,
  id: number,
  key: string,
  v: number,
  done: number,
  op: number,
  found: Found,
  where?: string,
): boolean {
  const who = where ?? opName(c, op);
  const ops = op >= 0 ? [op] : [];
  if (v <= GARBAGE) {
    found.add(
      "garbage-read",
      key,
      ops,
      () => `${who} read item ${id} as ${valueName(c, v)}, which no write wrote`,
    );
    return false;
  }
  const w = writerOf(c, v);
  const wop = c.mOp.data[w]!;
  if (itemOfWrite(c, w) !== id) {
    found.add(
      "garbage-read",
      key,
      [...ops, wop],
      () =>
        `${who} read item ${id} as ${valueName(c, v)}, which ${opName(c, wop)} wrote to item ${itemOfWrite(c, w)}`,
    );
    return false;
  }
  if (c.valueDone.data[v] !== done) {
    found.add(
      "garbage-read",
      key,
      [...ops, wop],
      () =>
        `${who} read item ${id} as ${valueName(c, v, done)}, which ${opName(c, wop)} wrote with done ${c.valueDone.data[v] ? "true" : "false"}`,
    );
    return false;
  }
  if (c.outcome.data[wop] === FAIL) {
    found.add(
      "G1a",
      key,
      [wop, ...ops],
      () => `${who} read item ${id} as ${valueName(c, v)}, written by ${opName(c, wop)}, which failed`,
    );
    return false;
  }
  return true;
}

/**
 * The value an item ended on must be one a valid order of its writes ends on. Its first value, once
 * an edit was acknowledged, ends none. A value whose write had been acknowledged before another
 * acknowledged edit began is older in real time: that edit was lost (a lost update); in the same
 * session, its writes took effect out of order (monotonic writes).
 */
function finalValueOk(c: HistoryColumns, id: number, k: ItemKey, f: FinalValue, found: Found): void {
  const key = `item ${id}`;
  const w = writerOf(c, f.value);
  const wop = c.mOp.data[w]!;
  const okEdits = k.edits.filter((e) => c.outcome.data[c.mOp.data[e]!] === OK);
  const seenBy = f.op === undefined ? [] : [f.op];
  if (c.mF.data[w] === APPEND && okEdits.length > 0) {
    const e = c.mOp.data[okEdits[0]!]!;
    found.add(
      "impossible-final",
      key,
      [wop, e, ...seenBy],
      () =>
        `item ${id} ends as its first value ${valueName(c, f.value)} in ${f.where}, though ${opName(c, e)} edited it and was acknowledged`,
    );
    return;
  }
  if (c.outcome.data[wop] !== OK) return;
  const doneAt = c.completedAt.data[wop]!;
  let later = -1;
  for (const e of okEdits) {
    const eop = c.mOp.data[e]!;
    if (
      eop !== wop &&
      c.invokedAt.data[eop]! > doneAt &&
      (later < 0 || c.invokedAt.data[eop]! > c.invokedAt.data[later]!)
    )
      later = eop;
  }
  if (later < 0) return;
  const sameSession = c.process.data[later] === c.process.data[wop];
  found.add(
    sameSession ? "monotonic-writes" : "lost-update",
    key,
    [wop, later, ...seenBy],
    () =>
      `item ${id} ends as ${valueName(c, f.value)} (${opName(c, wop)}) in ${f.where}, though ${opName(c, later)} edited it after that write was acknowledged${sameSession ? ", in the same session" : ""}`,
  );
}

/**
 * Real time for items: a read begun after an item's creation was acknowledged finds it, and shows
 * no value whose write had been acknowledged before another acknowledged write began (that one
 * was newer when the read began). Final reads are left to the end-value checks.
 */
export function checkRegistersRealTime(c: HistoryColumns, items: Map<number, ItemKey>, found: Found): void {
  for (const [id, k] of items) {
    if (k.reads.length === 0) continue;
    const writes = [...(k.creation >= 0 ? [k.creation] : []), ...k.edits].filter(
      (w) => c.outcome.data[c.mOp.data[w]!] === OK,
    );
    if (writes.length === 0) continue;
    for (const r of k.reads) {
      const op = c.mOp.data[r]!;
      if (c.final.data[op]) continue;
      const t = c.invokedAt.data[op]!;
      const v = c.mVal.data[r]!;
      if (v === NOT_FOUND) {
        const cop = k.creation >= 0 ? c.mOp.data[k.creation]! : -1;
        if (cop >= 0 && c.outcome.data[cop] === OK && c.completedAt.data[cop]! < t)
          found.add(
            "stale-read",
            `item ${id}`,
            [cop, op],
            () =>
              `${opName(c, op)} did not find item ${id}, whose creation by ${opName(c, cop)} was acknowledged before the read began`,
          );
        continue;
      }
      if (v < 0) continue;
      const wop = c.mOp.data[writerOf(c, v)]!;
      // A write not acknowledged may have taken effect at any time after it began: never older.
      if (c.outcome.data[wop] !== OK) continue;
      const doneAt = c.completedAt.data[wop]!;
      let newer = -1;
      for (const w of writes) {
        const xop = c.mOp.data[w]!;
        if (c.completedAt.data[xop]! < t && c.invokedAt.data[xop]! > doneAt) newer = xop;
      }
      if (newer >= 0) {
        const x = newer;
        found.add(
          "stale-read",
          `item ${id}`,
          [wop, x, op],
          () =>
            `${opName(c, op)} read item ${id} as ${valueName(c, v)} (${opName(c, wop)}), older than ${opName(c, x)}'s write, acknowledged before the read began`,
        );
      }
    }
  }
}
