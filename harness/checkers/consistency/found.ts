import { ANOMALIES, type Anomaly, type AnomalyKind, type CycleEdge, type InvolvedOp } from "./anomalies.ts";
import {
  APPEND,
  GARBAGE,
  garbageIndex,
  NOT_FOUND,
  OP_KINDS,
  OUTCOMES,
  READ_ITEM,
  READ_LIST,
  type HistoryColumns,
} from "./columns.ts";

/** How many anomalies of one kind are kept whole, with their explanation; the rest are counted. */
export const EXAMPLES_PER_KIND = 20;

/**
 * Where the checks put what they find: every anomaly counted by kind, the first of each kind kept
 * with its explanation (the operations, in the history's words).
 */
export class Found {
  readonly counts = new Map<AnomalyKind, number>();
  readonly examples: Anomaly[] = [];
  private readonly kept = new Map<AnomalyKind, number>();

  constructor(readonly c: HistoryColumns) {}

  /** Counts one; builds its explanation only while the kind has room for examples. */
  add(
    kind: AnomalyKind,
    key: string,
    ops: readonly number[],
    message: () => string,
    cycle?: CycleEdge[],
  ): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    const kept = this.kept.get(kind) ?? 0;
    if (kept >= EXAMPLES_PER_KIND) return;
    this.kept.set(kind, kept + 1);
    const involved = ops.map((op) => describeOp(this.c, op));
    const at = Math.max(...involved.map((o) => o.completedAt ?? o.invokedAt));
    this.examples.push({ kind, message: message(), key, ops: involved, ...(cycle ? { cycle } : {}), at });
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}

/** "op 12 (process 3, node2, 4.210 s)": an operation as a message names it. */
export function opName(c: HistoryColumns, op: number): string {
  const node = c.nodes[c.node.data[op]!];
  return `op ${op} (process ${c.process.data[op]}${node ? `, ${node}` : ""}, ${(c.invokedAt.data[op]! / 1000).toFixed(3)} s)`;
}

/** An item's value as a read shows it: its text and done flag, or what stands for none. */
export function valueName(c: HistoryColumns, val: number, done?: number): string {
  if (val === NOT_FOUND) return "not found";
  if (val <= GARBAGE) return `"${c.garbage[garbageIndex(val)]}"`;
  return `"${c.valueText[val]}"${done === undefined ? "" : done ? " (done)" : ""}`;
}

/** A list read's elements, as item ids. */
export function elementsOf(c: HistoryColumns, m: number): number[] {
  const len = c.mLen.data[m]!;
  return len < 0 ? [] : Array.from(c.pool.data.subarray(c.mAt.data[m]!, c.mAt.data[m]! + len));
}

function mopName(c: HistoryColumns, m: number): string {
  const key = c.mKey.data[m]!;
  const f = c.mF.data[m];
  if (f === APPEND) {
    const id = c.mVal.data[m]!;
    return `append ${id >= 0 ? `item ${id}` : "an item"} "${c.valueText[c.mLen.data[m]!]}" to list ${key}`;
  }
  if (f === READ_LIST) {
    if (c.mLen.data[m]! < 0) return `read list ${key} → not found`;
    const els = elementsOf(c, m);
    const shown = els.length > 20 ? [...els.slice(0, 8), "…", ...els.slice(-8)] : els;
    return `read list ${key} → [${shown.join(", ")}]`;
  }
  if (f === READ_ITEM) return `read item ${key} → ${valueName(c, c.mVal.data[m]!, c.mLen.data[m]!)}`;
  return `write item ${key} := ${valueName(c, c.mVal.data[m]!, c.mLen.data[m]!)}`;
}

/** One operation, as an anomaly's explanation shows it. */
export function describeOp(c: HistoryColumns, op: number): InvolvedOp {
  const mops: string[] = [];
  const w0 = c.writesFrom.data[op]!;
  const r0 = c.readsFrom.data[op]!;
  if (r0 >= 0) for (let m = r0; m < r0 + c.readsCount.data[op]!; m++) mops.push(mopName(c, m));
  for (let m = w0; m < w0 + c.writesCount.data[op]!; m++) mops.push(mopName(c, m));
  const kind = OP_KINDS[c.kind.data[op]!]!;
  const what = mops.length === 0 ? kind : kind === "txn" ? `txn [${mops.join("; ")}]` : mops.join("; ");
  const node = c.nodes[c.node.data[op]!];
  const done = c.completedAt.data[op]!;
  return {
    index: op,
    process: c.process.data[op]!,
    what,
    type: OUTCOMES[c.outcome.data[op]!]!,
    ...(node ? { node } : {}),
    invokedAt: c.invokedAt.data[op]!,
    ...(Number.isNaN(done) ? {} : { completedAt: done }),
  };
}

/** The anomaly's sentence, for the report's legend. */
export const anomalyWhat = (kind: AnomalyKind) => ANOMALIES[kind].what;
