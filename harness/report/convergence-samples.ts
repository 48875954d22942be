import type { ConvergenceSample, NodeState } from "../checkers/convergence.ts";

/**
 * convergence.json: the samples the convergence checker judged, written compactly. A node's row
 * ids only grow during a drill, so each sample stores what was added and removed since that node's
 * previous sample instead of every id again (hundreds of samples × hundreds of ids otherwise).
 */
interface EncodedNode {
  gtidCurrentPos: string;
  checksums: Record<string, number | null>;
  rows?: { lists: Delta; items: Delta };
}
interface Delta {
  add: number[];
  remove: number[];
}
export interface EncodedSample {
  time: number;
  node1: EncodedNode | null;
  node2: EncodedNode | null;
}

function delta(prev: readonly number[], next: readonly number[]): Delta {
  const before = new Set(prev);
  const after = new Set(next);
  return { add: next.filter((x) => !before.has(x)), remove: prev.filter((x) => !after.has(x)) };
}

function apply(prev: readonly number[], d: Delta): number[] {
  const gone = new Set(d.remove);
  return [...prev.filter((x) => !gone.has(x)), ...d.add].sort((a, b) => a - b);
}

export function encodeSamples(samples: readonly ConvergenceSample[]): EncodedSample[] {
  const last: Record<string, { lists: number[]; items: number[] }> = {};
  const node = (name: "node1" | "node2", n: NodeState | undefined): EncodedNode | null => {
    if (!n) return null;
    const out: EncodedNode = { gtidCurrentPos: n.gtidCurrentPos, checksums: n.checksums };
    if (n.rows) {
      const prev = last[name] ?? { lists: [], items: [] };
      out.rows = { lists: delta(prev.lists, n.rows.lists), items: delta(prev.items, n.rows.items) };
      last[name] = n.rows;
    }
    return out;
  };
  return samples.map((s) => ({ time: s.time, node1: node("node1", s.node1), node2: node("node2", s.node2) }));
}

export function decodeSamples(encoded: readonly EncodedSample[]): ConvergenceSample[] {
  const last: Record<string, { lists: number[]; items: number[] }> = {};
  const node = (name: "node1" | "node2", n: EncodedNode | null): NodeState | undefined => {
    if (!n) return undefined;
    const out: NodeState = { gtidCurrentPos: n.gtidCurrentPos, checksums: n.checksums };
    if (n.rows) {
      const prev = last[name] ?? { lists: [], items: [] };
      out.rows = { lists: apply(prev.lists, n.rows.lists), items: apply(prev.items, n.rows.items) };
      last[name] = out.rows;
    }
    return out;
  };
  return encoded.map((s) => ({ time: s.time, node1: node("node1", s.node1), node2: node("node2", s.node2) }));
}
