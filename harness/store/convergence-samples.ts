import { z } from "zod";

/** One database as the convergence checker samples it. */
export const NodeStateSchema = z.object({
  gtidCurrentPos: z.string(),
  /** CHECKSUM TABLE per table; null when the table could not be read. */
  checksums: z.record(z.string(), z.number().nullable()),
  /** Ids of the run's rows on this node (lists, items): which acknowledged writes it holds. */
  rows: z.object({ lists: z.array(z.number()), items: z.array(z.number()) }).optional(),
});
export type NodeState = z.infer<typeof NodeStateSchema>;

/** Both databases at one moment; a node is undefined when it could not be read. */
export interface ConvergenceSample {
  /** Milliseconds on the history's clock. */
  time: number;
  node1: NodeState | undefined;
  node2: NodeState | undefined;
}

/** Both nodes read, and every table's checksum equal on both. */
export function sameData(a: NodeState | undefined, b: NodeState | undefined): boolean {
  if (!a || !b) return false;
  const tables = new Set([...Object.keys(a.checksums), ...Object.keys(b.checksums)]);
  return [...tables].every(
    (t) => a.checksums[t] !== null && a.checksums[t] !== undefined && a.checksums[t] === b.checksums[t],
  );
}

/**
 * convergence.json: the samples the convergence checker judged, written compactly. A node's row
 * ids only grow during a drill, so each sample stores what was added and removed since that node's
 * previous sample instead of every id again (hundreds of samples × hundreds of ids otherwise).
 * Described in full, since decoding walks every field.
 */
const DeltaSchema = z.object({ add: z.array(z.number()), remove: z.array(z.number()) });
const EncodedNodeSchema = z
  .object({
    gtidCurrentPos: z.string(),
    checksums: z.record(z.string(), z.number().nullable()),
    rows: z.object({ lists: DeltaSchema, items: DeltaSchema }).optional(),
  })
  .nullable();
export const EncodedSampleSchema = z.object({
  time: z.number(),
  node1: EncodedNodeSchema,
  node2: EncodedNodeSchema,
});
export type EncodedSample = z.infer<typeof EncodedSampleSchema>;
type EncodedNode = z.infer<typeof EncodedNodeSchema>;
type Delta = z.infer<typeof DeltaSchema>;

function delta(prev: readonly number[], next: readonly number[]): Delta {
  const before = new Set(prev);
  const after = new Set(next);
  return { add: next.filter((x) => !before.has(x)), remove: prev.filter((x) => !after.has(x)) };
}

function apply(prev: readonly number[], d: Delta): number[] {
  const gone = new Set(d.remove);
  return [...prev.filter((x) => !gone.has(x)), ...d.add].sort((a, b) => a - b);
}

type Rows = { lists: number[]; items: number[] };

/**
 * Both nodes of every sample mapped in order, each with its own last full rows carried from its
 * previous sample: how a sample is written as deltas and read back.
 */
function mapNodes<A, B>(
  samples: readonly { time: number; node1: A; node2: A }[],
  map: (n: NonNullable<A>, previous: Rows) => { out: B; rows?: Rows },
  none: B,
): { time: number; node1: B; node2: B }[] {
  const last: Partial<Record<"node1" | "node2", Rows>> = {};
  const node = (name: "node1" | "node2", n: A): B => {
    if (n === null || n === undefined) return none;
    const r = map(n, last[name] ?? { lists: [], items: [] });
    if (r.rows) last[name] = r.rows;
    return r.out;
  };
  return samples.map((s) => ({ time: s.time, node1: node("node1", s.node1), node2: node("node2", s.node2) }));
}

export function encodeSamples(samples: readonly ConvergenceSample[]): EncodedSample[] {
  return mapNodes<NodeState | undefined, EncodedNode>(
    samples,
    (n, prev) => {
      const out = { gtidCurrentPos: n.gtidCurrentPos, checksums: n.checksums };
      if (!n.rows) return { out };
      const rows = { lists: delta(prev.lists, n.rows.lists), items: delta(prev.items, n.rows.items) };
      return { out: { ...out, rows }, rows: n.rows };
    },
    null,
  );
}

export function decodeSamples(encoded: readonly EncodedSample[]): ConvergenceSample[] {
  return mapNodes<EncodedNode, NodeState | undefined>(
    encoded,
    (n, prev) => {
      const out = { gtidCurrentPos: n.gtidCurrentPos, checksums: n.checksums };
      if (!n.rows) return { out };
      const rows = { lists: apply(prev.lists, n.rows.lists), items: apply(prev.items, n.rows.items) };
      return { out: { ...out, rows }, rows };
    },
    undefined,
  );
}
