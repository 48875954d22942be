import type { HistoryEvent, ListedItem, OpCompletion, OpInvoke, TxnValue } from "../../history/history.ts";
import { mulberry32 } from "../../util/prng.ts";
import { OperationPlanner, type PlannedOperation } from "../../workload/next-operation.ts";
import { editsMix, kindPicker } from "../../workload/operation-mix.ts";

export interface SimulationOptions {
  operations: number;
  seed?: number;
  /** Client sessions, one operation in flight each (default 32). */
  sessions?: number;
}

/**
 * A history as the workload would record it against one database that does everything right:
 * the workload's own planner and mix, `sessions` clients, an operation every millisecond taking
 * 2 to 6 ms, each taking effect when it is invoked (so the history is linearizable and
 * serializable: every anomaly the checker reports in it is a false one). Yields events in time
 * order, without holding the history: the benchmark writes millions of them.
 */
export function* simulatedHistory(o: SimulationOptions): Generator<HistoryEvent> {
  const random = mulberry32(o.seed ?? 1).next;
  const planner = new OperationPlanner({ prefix: "sim", random });
  const pick = kindPicker(editsMix, random);
  const sessions = o.sessions ?? 32;
  const free = Array.from({ length: sessions }, (_, i) => sessions - 1 - i);
  const lists = new Map<number, number[]>();
  const items = new Map<number, ListedItem & { listId: number }>();
  let nextList = 1;
  let nextItem = 1;
  const pending: OpCompletion[] = [];
  yield { type: "start", time: 0, wallClock: "2026-12-07T00:00:00Z", runId: "simulated" };
  const listed = (listId: number): ListedItem[] =>
    (lists.get(listId) ?? []).map((id) => {
      const it = items.get(id)!;
      return { id, text: it.text, done: it.done };
    });
  for (let n = 0; n < o.operations; n++) {
    const now = n;
    pending.sort((a, b) => a.time - b.time);
    while (pending.length > 0 && (pending[0]!.time <= now || free.length === 0)) {
      const c = pending.shift()!;
      planner.learn(c);
      free.push(c.process);
      yield c;
    }
    const process = free.pop()!;
    const op: PlannedOperation = planner.next(pick());
    const invoke: OpInvoke = { type: "invoke", process, op: op.kind, value: op.value, time: now };
    yield invoke;
    const time = Math.max(now + 2 + Math.floor(random() * 5), pending.at(-1)?.time ?? 0);
    const base = { process, op: op.kind, time, node: "node1", latencyMs: time - now };
    let value = op.value;
    if (op.kind === "create-list") {
      const id = nextList++;
      lists.set(id, []);
      value = { ...op.value, id };
    } else if (op.kind === "add-item") {
      const v = op.value as { listId: number; text: string };
      const id = nextItem;
      nextItem += 2;
      items.set(id, { id, text: v.text, done: false, listId: v.listId });
      lists.get(v.listId)!.push(id);
      value = { ...v, id };
    } else if (op.kind === "read-item") {
      const v = op.value as { itemId: number };
      const it = items.get(v.itemId)!;
      value = { itemId: v.itemId, text: it.text, done: it.done, found: true };
    } else if (op.kind === "read-list") {
      const v = op.value as { listId: number };
      value = { listId: v.listId, items: listed(v.listId), found: true };
    } else if (op.kind === "write-item") {
      const v = op.value as { itemId: number; text: string; done: boolean };
      const it = items.get(v.itemId)!;
      it.text = v.text;
      it.done = v.done;
    } else {
      const steps = (op.value as TxnValue).steps.map((s) => {
        if (s.f === "r") return { ...s, items: listed(s.listId) };
        const id = nextItem;
        nextItem += 2;
        items.set(id, { id, text: s.text, done: false, listId: s.listId });
        lists.get(s.listId)!.push(id);
        return { ...s, id };
      });
      value = { steps };
    }
    pending.push({ ...base, type: "ok", value });
  }
  pending.sort((a, b) => a.time - b.time);
  for (const c of pending) yield c;
}
