import { APPEND, NOT_FOUND, OK, READ_ITEM, READ_LIST, WRITE, type HistoryColumns } from "./columns.ts";
import { opName, valueName, type Found } from "./found.ts";

/**
 * Session guarantees (Terry et al.), each process being one client session (the workload retires
 * a session whose operation ended unknown). Within a session, in its order:
 * - read-your-writes: a read of a list shows the session's acknowledged appends to it; a read of an
 *   item finds it once the session created or edited it, and never shows its first value after the
 *   session's edit, nor an earlier edit of the session's own;
 * - monotonic reads: a read of a list keeps every element an earlier read of it showed; an item once
 *   found stays found and, once edited, never shows its first value again.
 * Across sessions, in every read of a list (and the reads of one transaction):
 * - monotonic writes: an element shows only with the session's previous append, before it when in
 *   the same list (the session's edits are held to their order at the end, registers.ts);
 * - writes-follow-reads: an element shows only with the last element of each list its session had
 *   read before appending it (when the read covers that list).
 */
export function checkSessions(c: HistoryColumns, found: Found): void {
  // Per acknowledged append (by its micro-operation): the session's previous acknowledged append,
  // and the session's last operation with list reads before it (-1: none), for the checks across
  // sessions. Typed arrays, not maps: a million-operation history holds half a million appends.
  const previousAppend = new Int32Array(c.mops).fill(-1);
  const readBefore = new Int32Array(c.mops).fill(-1);
  const seen = new Set<number>();
  for (const ops of sessionsOf(c)) {
    const ownAppends = new Map<number, number[]>();
    const lastListRead = new Map<number, number>();
    const ownValues = new Map<number, number[]>();
    const created = new Set<number>();
    const lastItemValue = new Map<number, number>();
    let lastAppend = -1;
    let lastReadOp = -1;
    for (const op of ops) {
      const r0 = c.readsFrom.data[op]!;
      let readsLists = false;
      if (r0 >= 0)
        for (let r = r0; r < r0 + c.readsCount.data[op]!; r++) {
          const key = c.mKey.data[r]!;
          if (c.mF.data[r] === READ_LIST) {
            readsLists = true;
            seen.clear();
            const at = c.mAt.data[r]!;
            const len = Math.max(0, c.mLen.data[r]!);
            for (let i = 0; i < len; i++) seen.add(c.pool.data[at + i]!);
            const own = ownAppends.get(key);
            const missing = own?.find((e) => !seen.has(e));
            if (missing !== undefined)
              found.add(
                "read-your-writes",
                `list ${key}`,
                [c.mOp.data[c.appendOf.get(missing)!]!, op],
                () =>
                  `${opName(c, op)} read list ${key} without item ${missing}, which its own session had appended (acknowledged)`,
              );
            const prev = lastListRead.get(key);
            if (prev !== undefined) {
              const pat = c.mAt.data[prev]!;
              const plen = Math.max(0, c.mLen.data[prev]!);
              for (let i = 0; i < plen; i++) {
                const e = c.pool.data[pat + i]!;
                if (seen.has(e)) continue;
                const before = c.mOp.data[prev]!;
                found.add(
                  "monotonic-reads",
                  `list ${key}`,
                  [before, op],
                  () =>
                    `${opName(c, op)} read list ${key} without item ${e}, which the same session had read there (${opName(c, before)})`,
                );
                break;
              }
            }
            lastListRead.set(key, r);
          } else if (c.mF.data[r] === READ_ITEM)
            itemRead(c, op, r, key, ownValues, created, lastItemValue, found);
        }
      if (c.outcome.data[op] === OK) {
        const w0 = c.writesFrom.data[op]!;
        for (let w = w0; w < w0 + c.writesCount.data[op]!; w++) {
          if (c.mF.data[w] === APPEND) {
            const e = c.mVal.data[w]!;
            if (e < 0) continue;
            const key = c.mKey.data[w]!;
            let own = ownAppends.get(key);
            if (!own) ownAppends.set(key, (own = []));
            own.push(e);
            created.add(e);
            previousAppend[w] = lastAppend;
            readBefore[w] = lastReadOp;
            lastAppend = w;
          } else if (c.mF.data[w] === WRITE) {
            const id = c.mKey.data[w]!;
            let own = ownValues.get(id);
            if (!own) ownValues.set(id, (own = []));
            own.push(c.mVal.data[w]!);
          }
        }
      }
      if (readsLists) lastReadOp = op;
    }
  }
  checkAcrossSessions(c, previousAppend, readBefore, found);
}

/**
 * Each session's operations in its order, as views of one array (a counting sort by process):
 * no array per session, whatever the number of sessions the retirements made.
 */
function* sessionsOf(c: HistoryColumns): Generator<Int32Array> {
  const dense = new Map<number, number>();
  const sessionOf = new Int32Array(c.ops);
  for (let op = 0; op < c.ops; op++) {
    const p = c.process.data[op]!;
    let d = dense.get(p);
    if (d === undefined) dense.set(p, (d = dense.size));
    sessionOf[op] = d;
  }
  const start = new Int32Array(dense.size + 1);
  for (let op = 0; op < c.ops; op++) start[sessionOf[op]! + 1]!++;
  for (let s = 0; s < dense.size; s++) start[s + 1]! += start[s]!;
  const fill = start.slice(0, dense.size);
  const order = new Int32Array(c.ops);
  for (let op = 0; op < c.ops; op++) order[fill[sessionOf[op]!]!++] = op;
  for (let s = 0; s < dense.size; s++) yield order.subarray(start[s]!, start[s + 1]!);
}

function itemRead(
  c: HistoryColumns,
  op: number,
  r: number,
  id: number,
  ownValues: Map<number, number[]>,
  created: Set<number>,
  lastItemValue: Map<number, number>,
  found: Found,
): void {
  const key = `item ${id}`;
  const v = c.mVal.data[r]!;
  const own = ownValues.get(id);
  const isFirstValue = v >= 0 && c.mF.data[c.valueMop.data[v]!] === APPEND;
  if (v === NOT_FOUND && (created.has(id) || own)) {
    found.add(
      "read-your-writes",
      key,
      [op],
      () => `${opName(c, op)} did not find item ${id}, which its own session had written`,
    );
  } else if (own && v >= 0) {
    const i = own.lastIndexOf(v);
    if (isFirstValue || (i >= 0 && i < own.length - 1)) {
      const latest = own[own.length - 1]!;
      found.add(
        "read-your-writes",
        key,
        [c.mOp.data[c.valueMop.data[latest]!]!, op],
        () =>
          `${opName(c, op)} read item ${id} as ${valueName(c, v)}, older than its own session's acknowledged edit ${valueName(c, latest)}`,
      );
    }
  }
  const prev = lastItemValue.get(id);
  if (prev !== undefined && prev >= 0) {
    const prevEdit = c.mF.data[c.valueMop.data[prev]!] === WRITE;
    if (v === NOT_FOUND || (prevEdit && isFirstValue))
      found.add(
        "monotonic-reads",
        key,
        [op],
        () =>
          `${opName(c, op)} read item ${id} as ${valueName(c, v)} after the same session had read it as ${valueName(c, prev)}`,
      );
  }
  if (v !== NOT_FOUND) lastItemValue.set(id, v);
}

/**
 * Monotonic writes and writes-follow-reads, judged in every read of lists (a transaction's together).
 * Where an operation's reads showed each element is stamped by the element's append (its
 * micro-operation): two arrays for the whole history, not a map per read.
 */
function checkAcrossSessions(
  c: HistoryColumns,
  previousAppend: Int32Array,
  readBefore: Int32Array,
  found: Found,
): void {
  const shownBy = new Int32Array(c.mops).fill(-1);
  const shownAt = new Int32Array(c.mops);
  const listsRead: number[] = [];
  const shown = (append: number, op: number, key: number) =>
    shownBy[append] === op && c.mKey.data[append] === key;
  for (let op = 0; op < c.ops; op++) {
    const r0 = c.readsFrom.data[op]!;
    if (r0 < 0) continue;
    const r1 = r0 + c.readsCount.data[op]!;
    listsRead.length = 0;
    for (let r = r0; r < r1; r++) {
      if (c.mF.data[r] !== READ_LIST) continue;
      listsRead.push(c.mKey.data[r]!);
      const at = c.mAt.data[r]!;
      for (let i = 0; i < Math.max(0, c.mLen.data[r]!); i++) {
        const a = c.appendOf.get(c.pool.data[at + i]!);
        if (a === undefined) continue;
        shownBy[a] = op;
        shownAt[a] = i;
      }
    }
    if (listsRead.length === 0) continue;
    let reported = false;
    for (let r = r0; r < r1 && !reported; r++) {
      if (c.mF.data[r] !== READ_LIST) continue;
      const key = c.mKey.data[r]!;
      const at = c.mAt.data[r]!;
      for (let i = 0; i < Math.max(0, c.mLen.data[r]!) && !reported; i++) {
        const e = c.pool.data[at + i]!;
        const a = c.appendOf.get(e);
        if (a === undefined) continue;
        const p = previousAppend[a]!;
        if (p >= 0) {
          const pe = c.mVal.data[p]!;
          const pkey = c.mKey.data[p]!;
          const has = shown(p, op, pkey);
          if (listsRead.includes(pkey) && (!has || (pkey === key && shownAt[p]! > i))) {
            const aop = c.mOp.data[a]!;
            const pop = c.mOp.data[p]!;
            found.add("monotonic-writes", `list ${key}`, [pop, aop, op], () =>
              has
                ? `${opName(c, op)} read list ${key} with item ${e} before item ${pe}, though one session appended ${pe} (${opName(c, pop)}) before ${e} (${opName(c, aop)})`
                : `${opName(c, op)} read item ${e} (${opName(c, aop)}) without item ${pe} of list ${pkey}, the same session's earlier append (${opName(c, pop)})`,
            );
            reported = true;
            break;
          }
        }
        const before = readBefore[a]!;
        if (before < 0 || before === op) continue;
        const b0 = c.readsFrom.data[before]!;
        for (let q = b0; q < b0 + c.readsCount.data[before]!; q++) {
          const qkey = c.mKey.data[q]!;
          const len = c.mLen.data[q]!;
          if (c.mF.data[q] !== READ_LIST || !listsRead.includes(qkey) || len <= 0) continue;
          const last = c.pool.data[c.mAt.data[q]! + len - 1]!;
          const la = c.appendOf.get(last);
          if (la === undefined || shown(la, op, qkey)) continue;
          const aop = c.mOp.data[a]!;
          found.add(
            "writes-follow-reads",
            `list ${key}`,
            [before, aop, op],
            () =>
              `${opName(c, op)} read item ${e} (${opName(c, aop)}) without item ${last} of list ${qkey}, which that session had read (${opName(c, before)}) before appending it`,
          );
          reported = true;
          break;
        }
      }
    }
  }
}
