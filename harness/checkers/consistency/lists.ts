import { APPEND, FAIL, OK, READ_LIST, type HistoryColumns } from "./columns.ts";
import { elementsOf, opName, type Found } from "./found.ts";
import { RW, WR, WW, type DependencyGraph } from "./graph.ts";

/** One list's appends and reads (micro-operation indices), in history order. */
export interface ListKey {
  appends: number[];
  reads: number[];
}

/** Every list's appends and reads. */
export function listsOf(c: HistoryColumns): Map<number, ListKey> {
  const lists = new Map<number, ListKey>();
  for (let m = 0; m < c.mops; m++) {
    const f = c.mF.data[m];
    if (f !== APPEND && f !== READ_LIST) continue;
    const key = c.mKey.data[m]!;
    let k = lists.get(key);
    if (!k) lists.set(key, (k = { appends: [], reads: [] }));
    (f === APPEND ? k.appends : k.reads).push(m);
  }
  return lists;
}

/**
 * Appends a transaction followed with another append to the same list: a read that ends on one saw
 * the transaction half-done (G1b).
 */
function intermediateAppends(c: HistoryColumns): Set<number> {
  const out = new Set<number>();
  for (let op = 0; op < c.ops; op++) {
    const n = c.writesCount.data[op]!;
    if (n < 2) continue;
    const w0 = c.writesFrom.data[op]!;
    for (let a = w0; a < w0 + n; a++)
      for (let b = a + 1; b < w0 + n; b++)
        if (c.mF.data[a] === APPEND && c.mF.data[b] === APPEND && c.mKey.data[a] === c.mKey.data[b])
          out.add(a);
  }
  return out;
}

/**
 * List-append, as Elle checks it: within each read, no duplicate, nothing never appended (or
 * appended to another list), nothing from a failed append (G1a) or a transaction half-done (G1b);
 * every read a prefix of the longest, which stands for the list's order of appends (else the reads
 * disagree on it: incompatible order); every acknowledged append, and everything once read, in
 * the list's final read. The order gives the dependency edges: ww between consecutive appends, wr
 * from the append a read ends on, rw from a read to the append right after it.
 */
export function checkLists(
  c: HistoryColumns,
  lists: Map<number, ListKey>,
  found: Found,
  graph: DependencyGraph,
): void {
  const intermediate = intermediateAppends(c);
  const seen = new Set<number>();
  const everRead = new Set<number>();
  const appenderOp = (e: number): number => {
    const a = c.appendOf.get(e);
    return a === undefined ? -1 : c.mOp.data[a]!;
  };
  for (const [key, k] of lists) {
    let longest = -1;
    for (const r of k.reads) if (longest < 0 || c.mLen.data[r]! > c.mLen.data[longest]!) longest = r;
    const order =
      longest < 0
        ? new Int32Array(0)
        : c.pool.data.subarray(
            c.mAt.data[longest]!,
            c.mAt.data[longest]! + Math.max(0, c.mLen.data[longest]!),
          );
    everRead.clear();
    let finalRead = -1;
    for (const r of k.reads) {
      const op = c.mOp.data[r]!;
      if (c.final.data[op]) finalRead = r;
      const at = c.mAt.data[r]!;
      const len = Math.max(0, c.mLen.data[r]!);
      seen.clear();
      let duplicate = -1;
      let prefix = len <= order.length;
      for (let i = 0; i < len; i++) {
        const e = c.pool.data[at + i]!;
        everRead.add(e);
        if (seen.has(e)) duplicate = e;
        seen.add(e);
        if (prefix && order[i] !== e) prefix = false;
        const a = c.appendOf.get(e);
        if (a === undefined || c.mKey.data[a] !== key) {
          const elsewhere = a === undefined ? "" : ` (appended to list ${c.mKey.data[a]})`;
          found.add(
            "garbage-read",
            `list ${key}`,
            a === undefined ? [op] : [c.mOp.data[a]!, op],
            () =>
              `${opName(c, op)} read item ${e} in list ${key}, which no append put there${elsewhere}${c.unknownElements.has(e) ? `: its text "${c.unknownElements.get(e)}" is no write's` : ""}`,
          );
        } else if (c.outcome.data[c.mOp.data[a]!] === FAIL)
          found.add(
            "G1a",
            `list ${key}`,
            [c.mOp.data[a]!, op],
            () =>
              `${opName(c, op)} read item ${e} in list ${key}, appended by ${opName(c, c.mOp.data[a]!)}, which failed`,
          );
        else if (i === len - 1 && intermediate.has(a) && c.mOp.data[a] !== op)
          found.add(
            "G1b",
            `list ${key}`,
            [c.mOp.data[a]!, op],
            () =>
              `${opName(c, op)} read list ${key} ending on item ${e}, which ${opName(c, c.mOp.data[a]!)} followed with another append to it`,
          );
      }
      if (duplicate >= 0) {
        const e = duplicate;
        found.add(
          "duplicate",
          `list ${key}`,
          [op],
          () => `${opName(c, op)} read item ${e} twice in list ${key}`,
        );
      }
      if (!prefix) {
        const other = c.mOp.data[longest]!;
        found.add("incompatible-order", `list ${key}`, [op, other], () => {
          const mine = elementsOf(c, r);
          const i = mine.findIndex((e, j) => order[j] !== e);
          return `${opName(c, op)} read list ${key} as [${mine.join(", ")}], ${opName(c, other)} as [${Array.from(order).join(", ")}]: they part at position ${i}`;
        });
        continue;
      }
      // Dependencies only from reads that agree with the order.
      if (len > 0) graph.add(appenderOp(order[len - 1]!), op, WR, key, false);
      if (len < order.length) graph.add(op, appenderOp(order[len]!), RW, key, false);
    }
    for (let i = 1; i < order.length; i++)
      graph.add(appenderOp(order[i - 1]!), appenderOp(order[i]!), WW, key, false);
    if (finalRead < 0) continue;
    const finalOp = c.mOp.data[finalRead]!;
    const inFinal = new Set(elementsOf(c, finalRead));
    for (const a of k.appends) {
      const e = c.mVal.data[a]!;
      const op = c.mOp.data[a]!;
      if (c.outcome.data[op] !== OK || inFinal.has(e)) continue;
      everRead.delete(e);
      found.add(
        "lost-append",
        `list ${key}`,
        [op, finalOp],
        () =>
          `item ${e}, appended to list ${key} by ${opName(c, op)} and acknowledged, is missing from its final read (${opName(c, finalOp)})`,
      );
    }
    for (const e of everRead)
      if (
        !inFinal.has(e) &&
        c.appendOf.has(e) &&
        c.mKey.data[c.appendOf.get(e)!] === key &&
        c.outcome.data[appenderOp(e)] !== FAIL
      ) {
        const op = appenderOp(e);
        found.add(
          "lost-append",
          `list ${key}`,
          [op, finalOp],
          () =>
            `item ${e} of list ${key} was read, but is missing from the list's final read (${opName(c, finalOp)})`,
        );
      }
  }
}

/**
 * Real time for lists: a read begun after an append was acknowledged must show it. Final reads are
 * left to the lost-append check.
 */
export function checkListsRealTime(c: HistoryColumns, lists: Map<number, ListKey>, found: Found): void {
  const seen = new Set<number>();
  for (const [key, k] of lists) {
    const acked = k.appends
      .filter((a) => c.outcome.data[c.mOp.data[a]!] === OK && c.mVal.data[a]! >= 0)
      .sort((x, y) => c.completedAt.data[c.mOp.data[x]!]! - c.completedAt.data[c.mOp.data[y]!]!);
    if (acked.length === 0) continue;
    for (const r of k.reads) {
      const op = c.mOp.data[r]!;
      if (c.final.data[op]) continue;
      const t = c.invokedAt.data[op]!;
      if (c.completedAt.data[c.mOp.data[acked[0]!]!]! >= t) continue;
      seen.clear();
      for (const e of elementsOf(c, r)) seen.add(e);
      for (const a of acked) {
        const aop = c.mOp.data[a]!;
        if (c.completedAt.data[aop]! >= t) break;
        const e = c.mVal.data[a]!;
        if (seen.has(e) || aop === op) continue;
        found.add(
          "stale-read",
          `list ${key}`,
          [aop, op],
          () =>
            `${opName(c, op)} read list ${key} without item ${e}, acknowledged at ${(c.completedAt.data[aop]! / 1000).toFixed(3)} s by ${opName(c, aop)}, before the read began`,
        );
        break;
      }
    }
  }
}
