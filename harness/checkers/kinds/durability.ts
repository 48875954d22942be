import { z } from "zod";
import { defineChecker, type NeededInput } from "../checker.ts";
import {
  operations,
  type AddItemValue,
  type CreateListValue,
  type TxnValue,
  type WriteItemValue,
} from "../../history/history.ts";
import type { HistoryEvent } from "../../history/history.ts";
import type { NodeSnapshots } from "../../store/observed.ts";
import type { Finding, CheckResult } from "../../store/check-result.ts";

/**
 * Every acknowledged write is on both databases with its value. Also finds phantoms (rows of this
 * run no operation ever tried to write) and duplicates (one write applied twice). Writes whose
 * outcome is unknown (`info`) are indeterminate: present or absent, neither is a loss.
 */
export function checkDurability(
  history: readonly HistoryEvent[],
  snapshots: NodeSnapshots,
  tag: string,
): CheckResult {
  const findings: Finding[] = [];
  const w = writesOf(history);
  const { acked, attempted, indeterminate, failed } = w;
  let lost = 0;
  let phantom = 0;
  let duplicated = 0;
  for (const node of ["node1", "node2"] as const) {
    const snap = snapshots[node];
    const lists = new Map(snap.lists.map((l) => [l.id, l.title]));
    const items = new Map(snap.items.map((i) => [i.id, i]));
    for (const [id, title] of acked.lists) {
      const found = lists.get(id);
      if (found === undefined) {
        lost++;
        findings.push({
          kind: "lost-write",
          message: `${node}: acknowledged list ${id} "${title}" is missing`,
          evidence: { node, id, title },
        });
      } else if (found !== title) {
        lost++;
        findings.push({
          kind: "wrong-value",
          message: `${node}: list ${id} is "${found}", acknowledged as "${title}"`,
          evidence: { node, id },
        });
      }
    }
    for (const [id, item] of acked.items) {
      const found = items.get(id);
      if (!found) {
        lost++;
        findings.push({
          kind: "lost-write",
          message: `${node}: acknowledged item ${id} "${item.text}" is missing`,
          evidence: { node, id, text: item.text },
        });
      } else if (found.listId !== item.listId || !(w.texts.get(id) ?? new Set([item.text])).has(found.text)) {
        // Its text may be any write of it that may have happened (its own, or an edit not refused);
        // which one it should be is the consistency checker's question.
        lost++;
        findings.push({
          kind: "wrong-value",
          message: `${node}: item ${id} is "${found.text}" in list ${found.listId}, acknowledged as "${item.text}" in list ${item.listId}`,
          evidence: { node, id },
        });
      }
    }
    const seen = new Map<string, number>();
    for (const written of [...snap.lists.map((l) => l.title), ...snap.items.map((i) => i.text)]) {
      if (!written.startsWith(tag)) continue;
      seen.set(written, (seen.get(written) ?? 0) + 1);
      if (!attempted.has(written)) {
        phantom++;
        findings.push({
          kind: "phantom-write",
          message: `${node}: "${written}" is stored but no operation wrote it`,
          evidence: { node, written },
        });
      } else if (failed.has(written)) {
        // A `fail` claims the write surely did not happen; finding it stored proves the claim wrong.
        phantom++;
        findings.push({
          kind: "failed-write-applied",
          message: `${node}: "${written}" is stored although its request failed`,
          evidence: { node, written },
        });
      }
    }
    for (const [written, n] of seen) {
      if (n > 1) {
        duplicated++;
        findings.push({
          kind: "duplicated-write",
          message: `${node}: "${written}" is stored ${n} times (a request replayed?)`,
          evidence: { node, written, n },
        });
      }
    }
  }
  return {
    checker: "durability",
    valid: findings.length === 0,
    findings,
    figures: {
      acknowledgedWrites: acked.lists.size + acked.items.size,
      acknowledgedWritesLost: lost,
      phantomWrites: phantom,
      duplicatedWrites: duplicated,
      indeterminateWrites: indeterminate.size,
    },
  };
}

/** Both nodes' snapshots from observed.json; throws (unknown) when a database could not be read at the end. */
function snapshotsOf(o: NeededInput["observed"]): NodeSnapshots {
  const { node1, node2 } = o.snapshots;
  if (node1 === undefined || node2 === undefined)
    throw new Error(`a database could not be read at the end: ${o.errors.join("; ") || "no reason saved"}`);
  return { node1, node2 };
}

export default defineChecker({
  id: "durability",
  description:
    "every acknowledged write is on both databases with its value; phantoms and duplicates found; writes of unknown outcome are indeterminate, never lost",
  options: z.undefined(),
  needs: ["observed"],
  figures: ["acknowledgedWrites", "acknowledgedWritesLost", "indeterminateWrites"],
  keyFigures: ["acknowledgedWrites", "acknowledgedWritesLost", "indeterminateWrites"],
  check: (input) => checkDurability(input.history, snapshotsOf(input.observed), input.observed.tag),
});

/**
 * Every write of the history: what was acknowledged (lists, items with the text they were added
 * with), every title and text any operation tried, those whose outcome is unknown, those refused,
 * and for each acknowledged item the texts it may hold (its own and every edit not refused).
 */
function writesOf(history: readonly HistoryEvent[]) {
  const acked = { lists: new Map<number, string>(), items: new Map<number, AddItemValue>() };
  const attempted = new Set<string>();
  const indeterminate = new Set<string>();
  const failed = new Set<string>();
  const edits: { itemId: number; text: string }[] = [];
  const tried = (text: string, type: "ok" | "fail" | "info" | undefined) => {
    attempted.add(text);
    if (type === undefined || type === "info") indeterminate.add(text);
    if (type === "fail") failed.add(text);
  };
  for (const { invoke, completion } of operations(history)) {
    const type = completion?.type;
    if (invoke.op === "create-list") {
      const title = (invoke.value as CreateListValue).title;
      tried(title, type);
      if (type === "ok") acked.lists.set((completion!.value as CreateListValue).id!, title);
    } else if (invoke.op === "add-item") {
      tried((invoke.value as AddItemValue).text, type);
      if (type === "ok")
        acked.items.set((completion!.value as AddItemValue).id!, completion!.value as AddItemValue);
    } else if (invoke.op === "write-item") {
      const v = invoke.value as WriteItemValue;
      tried(v.text, type);
      if (type !== "fail") edits.push({ itemId: v.itemId, text: v.text });
    } else if (invoke.op === "txn") {
      const steps = (type === "ok" ? (completion!.value as TxnValue) : (invoke.value as TxnValue)).steps;
      for (const s of steps) {
        if (s.f !== "append") continue;
        tried(s.text, type);
        if (type === "ok" && s.id !== undefined)
          acked.items.set(s.id, { listId: s.listId, text: s.text, id: s.id });
      }
    }
  }
  const texts = new Map<number, Set<string>>();
  for (const [id, item] of acked.items) texts.set(id, new Set([item.text]));
  for (const e of edits) texts.get(e.itemId)?.add(e.text);
  return { acked, attempted, indeterminate, failed, texts };
}
