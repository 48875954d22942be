import { operations, type HistoryEvent, type ListedItem, type Operation, type TxnStep } from "./history.ts";

/**
 * A drill's history in Elle's form (jepsen-io/elle, elle-cli), so a reviewer can check the harness's
 * consistency verdict with the tool the field trusts. Two histories, as Elle's two workloads:
 *
 * - list-append: lists are keys; an appended item is an element (an integer per appended text,
 *   texts being unique to their append); a list read reads the elements of its items, an item known
 *   by its id whatever its text now is (an edit changes the text, not the element).
 * - rw-register: items are keys; adding an item and editing it write its register (an integer per
 *   written text), reading an item reads it (nil when the node had no such item).
 *
 * Ops carry Elle's keys: :index, :time (ns), :type, :process, :f (:txn) and :value (micro-ops).
 * Creating a list writes no element and is left out; an op whose key the history never learnt (an
 * append whose answer was lost, to a list or item nobody read) is left out of the history that
 * needs the key, and counted.
 */
export interface ElleHistories {
  listAppend: string;
  rwRegister: string;
  /** Ops written to each, and those left out because their key was never learnt. */
  counts: { listAppend: number; rwRegister: number; unkeyed: number };
}

type Micro = [f: "append" | "r" | "w", key: number, value: number | number[] | null];

/** Integers for texts, in order of first sight: Elle's elements and register values. */
class Numbering {
  private readonly ids = new Map<string, number>();
  of(text: string): number {
    let n = this.ids.get(text);
    if (n === undefined) this.ids.set(text, (n = this.ids.size + 1));
    return n;
  }
  has(text: string): boolean {
    return this.ids.has(text);
  }
}

/**
 * Which element each item is: an append that was answered names its item's id; one whose answer was
 * lost is known by its text when a read shows the item unedited.
 */
function itemElements(ps: readonly Operation[], texts: Numbering): Map<number, number> {
  const byId = new Map<number, number>();
  const appended = (text: string, id: number | undefined) => {
    if (id !== undefined && Number.isFinite(id)) byId.set(id, texts.of(text));
  };
  for (const { invoke, completion } of ps) {
    if (invoke.op === "add-item") {
      const v = invoke.value as { text: string };
      texts.of(v.text);
      if (completion?.type === "ok") appended(v.text, (completion.value as { id?: number }).id);
    } else if (invoke.op === "txn") {
      for (const s of (invoke.value as { steps: TxnStep[] }).steps) if (s.f === "append") texts.of(s.text);
      if (completion?.type === "ok")
        for (const s of (completion.value as { steps: TxnStep[] }).steps)
          if (s.f === "append") appended(s.text, s.id);
    }
  }
  const seen = (items: readonly ListedItem[] | undefined) => {
    for (const i of items ?? []) if (!byId.has(i.id) && texts.has(i.text)) byId.set(i.id, texts.of(i.text));
  };
  for (const { completion } of ps) {
    if (completion?.type !== "ok") continue;
    if (completion.op === "read-list") seen((completion.value as { items?: ListedItem[] }).items);
    if (completion.op === "txn")
      for (const s of (completion.value as { steps: TxnStep[] }).steps) if (s.f === "r") seen(s.items);
  }
  return byId;
}

const edn = (m: Micro) =>
  `[:${m[0]} ${m[1]} ${m[2] === null ? "nil" : Array.isArray(m[2]) ? `[${m[2].join(" ")}]` : m[2]}]`;

class EdnWriter {
  private readonly lines: string[] = [];
  private index = 0;
  op(type: string, process: number, timeMs: number, micros: readonly Micro[]): void {
    const ns = Math.round(timeMs * 1e6);
    this.lines.push(
      `{:index ${this.index++}, :time ${ns}, :type :${type}, :process ${process}, :f :txn, :value [${micros.map(edn).join(" ")}]}`,
    );
  }
  get count(): number {
    return this.index;
  }
  text(): string {
    return this.lines.length ? `${this.lines.join("\n")}\n` : "";
  }
}

/** The two Elle histories of a drill's history (ops only; faults, alerts and probes are not Elle's). */
export function toElle(history: readonly HistoryEvent[]): ElleHistories {
  const ps = operations(history);
  const elements = new Numbering();
  const values = new Numbering();
  const byId = itemElements(ps, elements);
  const idOf = new Map([...byId].map(([id, el]) => [el, id]));
  const listed = (items: readonly ListedItem[] | undefined) =>
    (items ?? []).map((i) => byId.get(i.id) ?? elements.of(`unknown item ${i.id}: ${i.text}`));
  const la = new EdnWriter();
  const rw = new EdnWriter();
  let unkeyed = 0;
  // Completions come after their invokes; the two writers keep each op's invoke and completion apart
  // in time as the history had them, so both are written in one pass over events.
  const pending: { time: number; write: () => void }[] = [];
  for (const { invoke, completion } of ps) {
    const type = completion?.type ?? "info";
    const end = completion?.time ?? invoke.time;
    const emit = (w: EdnWriter, inv: Micro[], done: Micro[]) => {
      pending.push({ time: invoke.time, write: () => w.op("invoke", invoke.process, invoke.time, inv) });
      pending.push({ time: end, write: () => w.op(type, invoke.process, end, type === "ok" ? done : inv) });
    };
    const v = invoke.value as unknown as Record<string, unknown>;
    switch (invoke.op) {
      case "add-item": {
        const text = v.text as string;
        const list = v.listId as number;
        const el = elements.of(text);
        emit(la, [["append", list, el]], [["append", list, el]]);
        const id = (completion?.value as { id?: number } | undefined)?.id ?? idOf.get(el);
        if (id === undefined) unkeyed++;
        else emit(rw, [["w", id, values.of(text)]], [["w", id, values.of(text)]]);
        break;
      }
      case "read-list": {
        const list = v.listId as number;
        const items = (completion?.value as { items?: ListedItem[] } | undefined)?.items;
        emit(la, [["r", list, null]], [["r", list, listed(items)]]);
        break;
      }
      case "txn": {
        const steps = v.steps as TxnStep[];
        const doneSteps = (completion?.value as { steps?: TxnStep[] } | undefined)?.steps ?? steps;
        const inv: Micro[] = steps.map((s) =>
          s.f === "r" ? ["r", s.listId, null] : ["append", s.listId, elements.of(s.text)],
        );
        const done: Micro[] = doneSteps.map((s) =>
          s.f === "r" ? ["r", s.listId, listed(s.items)] : ["append", s.listId, elements.of(s.text)],
        );
        emit(la, inv, done);
        break;
      }
      case "write-item": {
        const w: Micro = ["w", v.itemId as number, values.of(v.text as string)];
        emit(rw, [w], [w]);
        break;
      }
      case "read-item": {
        const c = completion?.value as { text?: string; found?: boolean } | undefined;
        const read = c?.found && c.text !== undefined ? values.of(c.text) : null;
        emit(rw, [["r", v.itemId as number, null]], [["r", v.itemId as number, read]]);
        break;
      }
      default:
        break;
    }
  }
  // A stable sort keeps each invoke before its completion when both fall in the same millisecond.
  pending.sort((a, b) => a.time - b.time);
  for (const p of pending) p.write();
  return {
    listAppend: la.text(),
    rwRegister: rw.text(),
    counts: { listAppend: la.count, rwRegister: rw.count, unkeyed },
  };
}
