import { z } from "zod";
import { defineChecker } from "../checker.ts";
import {
  operations,
  type AddItemValue,
  type HistoryEvent,
  type ReadItemValue,
  type TxnValue,
  type WriteItemValue,
} from "../../history/history.ts";
import type { Finding, CheckResult } from "../../store/check-result.ts";

/**
 * A read must see every item acknowledged before the read began: an item acknowledged at t1 and then
 * read as "not found" by a read invoked after t1 is a stale read — e.g. traffic failed back to a node
 * that had not caught up. A text no write of the item wrote is a wrong read. Which of its writes a
 * read should have seen (an edit acknowledged before it began) is the consistency checker's.
 */
export function checkStaleReads(history: readonly HistoryEvent[]): CheckResult {
  const ops = operations(history);
  const ackedAt = new Map<number, { time: number; text: string }>();
  // Every text an item may show: the one it was added with, and each edit not refused.
  const texts = new Map<number, Set<string>>();
  const edits: WriteItemValue[] = [];
  for (const { invoke, completion } of ops) {
    if (invoke.op === "add-item" && completion?.type === "ok") {
      const v = completion.value as AddItemValue;
      ackedAt.set(v.id!, { time: completion.time, text: v.text });
    } else if (invoke.op === "txn" && completion?.type === "ok") {
      for (const s of (completion.value as TxnValue).steps)
        if (s.f === "append" && s.id !== undefined)
          ackedAt.set(s.id, { time: completion.time, text: s.text });
    } else if (invoke.op === "write-item" && completion?.type !== "fail")
      edits.push(invoke.value as WriteItemValue);
  }
  for (const [id, a] of ackedAt) texts.set(id, new Set([a.text]));
  for (const e of edits) texts.get(e.itemId)?.add(e.text);
  const findings: Finding[] = [];
  let reads = 0;
  for (const { invoke, completion } of ops) {
    if (invoke.op !== "read-item" || completion?.type !== "ok") continue;
    reads++;
    const v = completion.value as ReadItemValue;
    const write = ackedAt.get(v.itemId);
    if (!write || write.time >= invoke.time) continue;
    if (v.found === false) {
      findings.push({
        kind: "stale-read",
        message: `item ${v.itemId} acknowledged at ${(write.time / 1000).toFixed(3)} s was not found by a read begun at ${(invoke.time / 1000).toFixed(3)} s on ${completion.node ?? "?"}`,
        evidence: { itemId: v.itemId, ackedAt: write.time, readAt: invoke.time, node: completion.node },
      });
    } else if (!texts.get(v.itemId)!.has(v.text ?? "")) {
      findings.push({
        kind: "wrong-read",
        message: `item ${v.itemId} read as "${v.text}", which no write of it wrote (added as "${write.text}")`,
        evidence: v,
      });
    }
  }
  return {
    checker: "stale-reads",
    valid: findings.length === 0,
    findings,
    figures: { reads, staleReads: findings.length },
  };
}

export default defineChecker({
  id: "stale-reads",
  description:
    "a read sees every write acknowledged before it began (not found or another text is a stale read)",
  options: z.undefined(),
  needs: [],
  figures: ["reads", "staleReads"],
  keyFigures: ["staleReads"],
  check: (input) => checkStaleReads(input.history),
});
