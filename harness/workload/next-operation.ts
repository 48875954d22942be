import type { OpCompletion, OpKind, OpValue, TxnStep, TxnValue } from "../history/history.ts";
import { pickReadTarget } from "./read-target.ts";

/** One request of the workload: what it is (recorded in the history) and what goes on the wire. */
export interface PlannedOperation {
  kind: OpKind;
  value: OpValue;
  path: string;
  body: string | undefined;
}

/**
 * How many lists take appends, reads and transactions at one time: few, so that sessions meet on
 * the same rows (a list whose order changes after the fact, two transactions on one pair of lists).
 */
export const ACTIVE_LISTS = 6;
/**
 * Appends one list takes before a new list replaces it (Elle's `max-writes-per-key`): a whole-list
 * read stays short, so checking a history stays linear and a read of one costs the app little.
 */
export const MAX_APPENDS_PER_LIST = 16;

export interface PlannerOptions {
  /** Prefix of every title and text this run writes. */
  prefix: string;
  random: () => number;
  /**
   * Edits and item reads go to the run's first this-many items only (default: any item, recent ones
   * favoured): a drill that must see two sides edit the same rows narrows it.
   */
  hotItems?: number;
}

/**
 * What the workload knows of the app's rows, and the next operation of a session: every value it
 * writes is unique (a title, an item's text, an edit's text), so a read names the exact write it saw.
 */
export class OperationPlanner {
  /** Lists acknowledged, oldest first, with the appends planned on each. */
  private readonly lists: { id: number; appends: number }[] = [];
  private readonly items: number[] = [];
  private seq = 0;

  constructor(private readonly o: PlannerOptions) {}

  /** The next operation for `kind`, or the one that must come first (nothing to add to or read yet). */
  next(wanted: OpKind): PlannedOperation {
    let kind = wanted;
    const open = this.openLists();
    if (this.lists.length === 0) kind = "create-list";
    else if ((kind === "add-item" || kind === "txn") && open.length === 0) kind = "create-list";
    else if ((kind === "read-item" || kind === "write-item") && this.items.length === 0)
      kind = open.length === 0 ? "create-list" : "add-item";
    const n = this.seq++;
    const { prefix } = this.o;
    switch (kind) {
      case "create-list": {
        const title = `${prefix}-l${n}`;
        return { kind, value: { title }, path: "/api/lists", body: JSON.stringify({ title }) };
      }
      case "add-item": {
        const list = this.pick(open);
        list.appends++;
        const text = `${prefix}-i${n}`;
        return {
          kind,
          value: { listId: list.id, text },
          path: `/api/lists/${list.id}/items`,
          body: JSON.stringify({ text }),
        };
      }
      case "read-item": {
        const itemId = this.item();
        return { kind, value: { itemId }, path: `/api/items/${itemId}`, body: undefined };
      }
      case "read-list": {
        // Any recent list, full ones included: their reads are what shows a list changing after the fact.
        const listId = this.pick(this.lists.slice(-ACTIVE_LISTS)).id;
        return { kind, value: { listId }, path: `/api/lists/${listId}/items`, body: undefined };
      }
      case "write-item": {
        const itemId = this.item();
        const text = `${prefix}-w${n}`;
        const done = this.o.random() < 0.5;
        return {
          kind,
          value: { itemId, text, done },
          path: `/api/items/${itemId}`,
          body: JSON.stringify({ text, done }),
        };
      }
      case "txn": {
        const steps = this.txnSteps(open, n);
        const value: TxnValue = { steps };
        const ops = steps.map((s) =>
          s.f === "r" ? { f: "r", list_id: s.listId } : { f: "append", list_id: s.listId, text: s.text },
        );
        return { kind, value, path: "/api/txn", body: JSON.stringify({ ops }) };
      }
    }
  }

  /** What an acknowledged operation created: lists to append to, items to read and edit. */
  learn(c: OpCompletion): void {
    if (c.type !== "ok") return;
    if (c.op === "create-list") this.lists.push({ id: (c.value as { id: number }).id, appends: 0 });
    else if (c.op === "add-item") this.items.push((c.value as { id: number }).id);
    else if (c.op === "txn")
      for (const s of (c.value as TxnValue).steps)
        if (s.f === "append" && s.id !== undefined) this.items.push(s.id);
  }

  /** The recent lists that still take appends. */
  private openLists() {
    return this.lists.slice(-ACTIVE_LISTS).filter((l) => l.appends < MAX_APPENDS_PER_LIST);
  }

  private pick<T>(from: readonly T[]): T {
    return from[Math.floor(this.o.random() * from.length)]!;
  }

  /**
   * An item to read or edit: among the hot ones when the drill narrows them. The hot items are the
   * run's first: made before any fault, they are on both nodes, so edits on either side of a
   * failover meet on the same rows.
   */
  private item(): number {
    const hot = this.o.hotItems;
    if (hot === undefined) return pickReadTarget(this.items, this.o.random);
    return this.pick(this.items.slice(0, hot));
  }

  /**
   * A transaction on two open lists (one when only one is open): each list read, then appended to,
   * in a random order of the two lists. Two such transactions on one pair of lists, each reading
   * what the other appends, are how write skew (G2-item) and other anomalies across rows show.
   */
  private txnSteps(open: { id: number; appends: number }[], n: number): TxnStep[] {
    const a = this.pick(open);
    const others = open.filter((l) => l !== a);
    const pair =
      others.length === 0 ? [a] : this.o.random() < 0.5 ? [a, this.pick(others)] : [this.pick(others), a];
    for (const l of pair) l.appends++;
    const steps: TxnStep[] = pair.map((l) => ({ f: "r", listId: l.id }));
    pair.forEach((l, i) => steps.push({ f: "append", listId: l.id, text: `${this.o.prefix}-t${n}-${i}` }));
    return steps;
  }
}
