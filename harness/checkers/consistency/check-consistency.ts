import type { HistoryEvent } from "../../history/history.ts";
import type { NodeSnapshots } from "../../store/observed.ts";
import { ANOMALIES, ANOMALY_KINDS, type Anomaly, type AnomalyKind } from "./anomalies.ts";
import { columnsOf, GARBAGE, type HistoryColumns } from "./columns.ts";
import { Found } from "./found.ts";
import { DependencyGraph, findCycles } from "./graph.ts";
import { checkLists, checkListsRealTime, listsOf } from "./lists.ts";
import { modelVerdict, type Model, type ModelVerdict } from "./models.ts";
import { checkRegisters, checkRegistersRealTime, itemsOf, type FinalValue } from "./registers.ts";
import { checkSessions } from "./sessions.ts";

export interface ConsistencyAnalysis {
  /** Operations, lists, items and transactions the history held. */
  size: { operations: number; lists: number; items: number; transactions: number; edges: number };
  /** Every anomaly found, by kind (kinds not found are absent). */
  counts: Partial<Record<AnomalyKind, number>>;
  /** The first anomalies of each kind, with their explanations. */
  examples: Anomaly[];
  models: ModelVerdict;
}

/**
 * The consistency checker's whole analysis, from the history (final reads included) and, when
 * given, each node's rows at the end: list-append, registers, real time, session guarantees and
 * the dependency graph's cycles; then the models the anomalies rule out.
 */
export function analyseConsistency(
  history: Iterable<HistoryEvent> | HistoryColumns,
  snapshots?: Partial<NodeSnapshots>,
): ConsistencyAnalysis {
  const c = Symbol.iterator in history ? columnsOf(history) : history.finish();
  const found = new Found(c);
  const graph = new DependencyGraph(c.ops);
  const lists = listsOf(c);
  const items = itemsOf(c);
  checkLists(c, lists, found, graph);
  checkListsRealTime(c, lists, found);
  checkRegisters(c, items, endValues(c, snapshots), found, graph);
  checkRegistersRealTime(c, items, found);
  checkSessions(c, found);
  for (const { kind, cycle } of findCycles(graph)) {
    const edges = cycle.map((e) => graph.describe(e));
    const ops = edges.map((e) => e.from);
    found.add(
      kind,
      edges[0]!.key,
      ops,
      () =>
        `${ANOMALIES[kind].what}: ${edges.map((e) => `op ${e.from} ${e.type} (${e.key})`).join(" → ")} → op ${edges[0]!.from}`,
      edges,
    );
  }
  let transactions = 0;
  for (let op = 0; op < c.ops; op++) if (c.kind.data[op] === 5) transactions++;
  const counts: Partial<Record<AnomalyKind, number>> = {};
  for (const k of ANOMALY_KINDS) if (found.counts.get(k)) counts[k] = found.counts.get(k)!;
  const direct = new Set<Model>();
  for (const k of Object.keys(counts) as AnomalyKind[]) for (const m of ANOMALIES[k].rulesOut) direct.add(m);
  return {
    size: { operations: c.ops, lists: lists.size, items: items.size, transactions, edges: graph.edges },
    counts,
    examples: found.examples.sort((a, b) => a.at - b.at),
    models: modelVerdict(direct),
  };
}

/** Each node's value of every item at the end, as value indices of the history's writes. */
function endValues(
  c: HistoryColumns,
  snapshots: Partial<NodeSnapshots> | undefined,
): Map<number, FinalValue[]> {
  const ends = new Map<number, FinalValue[]>();
  for (const [node, snap] of Object.entries(snapshots ?? {})) {
    if (!snap) continue;
    for (const item of snap.items) {
      let value = c.values.get(item.text);
      if (value === undefined) {
        c.garbage.push(item.text);
        value = GARBAGE - (c.garbage.length - 1);
      }
      // Rows from before items could be done say nothing of it: judged as written.
      const done = item.done === undefined ? (value >= 0 ? c.valueDone.data[value]! : 0) : item.done ? 1 : 0;
      let list = ends.get(item.id);
      if (!list) ends.set(item.id, (list = []));
      list.push({ value, done, where: `${node}'s database` });
    }
  }
  return ends;
}
