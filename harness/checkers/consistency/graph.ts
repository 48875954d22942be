import type { CycleEdge } from "./anomalies.ts";
import { Int32Column, Uint8Column } from "./growable.ts";

/** Edge types: the dependency (ww, wr, rw) and whether its object is a list or an item. */
export const WW = 0;
export const WR = 1;
export const RW = 2;
const TYPE_NAMES = ["ww", "wr", "rw"] as const;

/**
 * The dependency graph between operations (Adya's, as Elle infers it): ww when one operation's write
 * of an object precedes another's in its version order, wr when one reads what another wrote, rw
 * when one reads a version that another's write replaced. Held as columns, then as compressed rows.
 */
export class DependencyGraph {
  private readonly from = new Int32Column();
  private readonly to = new Int32Column();
  private readonly type = new Uint8Column();
  /** The object: a list id (>= 0) or an item id (stored as -1 - id). */
  private readonly key = new Int32Column();
  // Compressed rows, built once by `freeze`.
  private start!: Int32Array;
  private edgeOrder!: Int32Array;
  // Tarjan's scratch, allocated once and reset after each search.
  private index?: Int32Array;
  private low?: Int32Array;
  private onStack?: Uint8Array;
  /** A second membership mark, for a component's sub-component. */
  readonly mark: Uint8Array;

  constructor(readonly nodes: number) {
    this.mark = new Uint8Array(nodes);
  }

  get edges(): number {
    return this.from.length;
  }

  add(from: number, to: number, type: number, key: number, isItem: boolean): void {
    if (from === to || from < 0 || to < 0) return;
    this.from.push(from);
    this.to.push(to);
    this.type.push(type);
    this.key.push(isItem ? -1 - key : key);
  }

  /** Builds the compressed rows: each node's outgoing edges, contiguous. */
  freeze(): void {
    const n = this.nodes;
    const m = this.from.length;
    const start = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) start[this.from.data[e]! + 1]!++;
    for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, n);
    const order = new Int32Array(m);
    for (let e = 0; e < m; e++) order[fill[this.from.data[e]!]!++] = e;
    this.start = start;
    this.edgeOrder = order;
  }

  /**
   * Strongly connected components with more than one node (Tarjan's, iterative: a million nodes
   * deep would overflow the call stack), over the edges whose type `allow` admits and, when
   * `within` is given, between its members only (then only `members` are visited, and the scratch
   * arrays are reset for them alone: a component's sub-search costs its size, not the graph's).
   */
  components(allow: (type: number) => boolean, within?: Uint8Array, members?: readonly number[]): number[][] {
    const n = this.nodes;
    this.index ??= new Int32Array(n).fill(-1);
    this.low ??= new Int32Array(n);
    this.onStack ??= new Uint8Array(n);
    const { index, low, onStack } = this;
    const touched: number[] = [];
    const stack: number[] = [];
    const callNode: number[] = [];
    const callEdge: number[] = [];
    const out: number[][] = [];
    let counter = 0;
    const visit = (v: number) => {
      index[v] = low[v] = counter++;
      touched.push(v);
      stack.push(v);
      onStack[v] = 1;
      callNode.push(v);
      callEdge.push(this.start[v]!);
    };
    const roots = members ?? { length: n };
    for (let r = 0; r < roots.length; r++) {
      const root = members ? members[r]! : r;
      if (index[root] !== -1) continue;
      visit(root);
      while (callNode.length > 0) {
        const v = callNode[callNode.length - 1]!;
        const i = callEdge[callEdge.length - 1]!;
        if (i < this.start[v + 1]!) {
          callEdge[callEdge.length - 1] = i + 1;
          const e = this.edgeOrder[i]!;
          if (!allow(this.type.data[e]!)) continue;
          const w = this.to.data[e]!;
          if (within && !within[w]) continue;
          if (index[w] === -1) visit(w);
          else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
          continue;
        }
        callNode.pop();
        callEdge.pop();
        if (callNode.length > 0) {
          const parent = callNode[callNode.length - 1]!;
          low[parent] = Math.min(low[parent]!, low[v]!);
        }
        if (low[v] === index[v]) {
          const comp: number[] = [];
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp.push(w);
          } while (w !== v);
          if (comp.length > 1) out.push(comp);
        }
      }
    }
    for (const v of touched) index[v] = -1;
    return out;
  }

  /**
   * A shortest path from `source` to `target` over allowed edges between members of `within`, as
   * edge ids; undefined when there is none.
   */
  path(
    source: number,
    target: number,
    allow: (type: number) => boolean,
    within: Uint8Array,
  ): number[] | undefined {
    const via = new Map<number, number>();
    const queue = [source];
    via.set(source, -1);
    for (let q = 0; q < queue.length; q++) {
      const v = queue[q]!;
      for (let i = this.start[v]!; i < this.start[v + 1]!; i++) {
        const e = this.edgeOrder[i]!;
        const w = this.to.data[e]!;
        if (!within[w] || via.has(w) || !allow(this.type.data[e]!)) continue;
        via.set(w, e);
        if (w === target) {
          const edges: number[] = [];
          for (let x = target; x !== source; x = this.from.data[via.get(x)!]!) edges.push(via.get(x)!);
          return edges.reverse();
        }
        queue.push(w);
      }
    }
    return undefined;
  }

  /** The edges leaving members of `within` towards members, of one type. */
  edgesOfType(members: readonly number[], within: Uint8Array, type: number, limit: number): number[] {
    const out: number[] = [];
    for (const v of members)
      for (let i = this.start[v]!; i < this.start[v + 1]!; i++) {
        const e = this.edgeOrder[i]!;
        if (this.type.data[e] === type && within[this.to.data[e]!]) {
          out.push(e);
          if (out.length >= limit) return out;
        }
      }
    return out;
  }

  edgeFrom(e: number): number {
    return this.from.data[e]!;
  }
  edgeTo(e: number): number {
    return this.to.data[e]!;
  }

  describe(e: number): CycleEdge {
    const k = this.key.data[e]!;
    return {
      from: this.from.data[e]!,
      to: this.to.data[e]!,
      type: TYPE_NAMES[this.type.data[e]!]!,
      key: k >= 0 ? `list ${k}` : `item ${-1 - k}`,
    };
  }
}

export type CycleKind = "G0" | "G1c" | "G-single" | "G2-item";

/** How many anti-dependencies of one component are tried as G-single's one rw edge. */
const SINGLE_TRIES = 50;

/**
 * Every cycle class Elle reports, one per strongly connected component: the most serious cycle it
 * holds (G0 of write-write edges alone, then G1c adding write-read, then G-single with exactly one
 * read-write, then G2-item), with one such cycle as its explanation. The most serious is the one
 * that rules out the weakest model, so nothing the component shows about models is lost.
 */
export function findCycles(g: DependencyGraph): { kind: CycleKind; cycle: number[] }[] {
  g.freeze();
  const found: { kind: CycleKind; cycle: number[] }[] = [];
  const within = new Uint8Array(g.nodes);
  const ww = (t: number) => t === WW;
  const wwwr = (t: number) => t === WW || t === WR;
  const any = () => true;
  for (const comp of g.components(any)) {
    for (const v of comp) within[v] = 1;
    const cycle = firstCycle(g, comp, within, ww) ?? firstCycle(g, comp, within, wwwr);
    if (cycle) found.push({ kind: cycle.every((e) => g.describe(e).type === "ww") ? "G0" : "G1c", cycle });
    else {
      let single: number[] | undefined;
      for (const rw of g.edgesOfType(comp, within, RW, SINGLE_TRIES)) {
        const back = g.path(g.edgeTo(rw), g.edgeFrom(rw), wwwr, within);
        if (back) {
          single = [rw, ...back];
          break;
        }
      }
      if (single) found.push({ kind: "G-single", cycle: single });
      else {
        const rw = g.edgesOfType(comp, within, RW, 1)[0]!;
        const back = g.path(g.edgeTo(rw), g.edgeFrom(rw), any, within)!;
        found.push({ kind: "G2-item", cycle: [rw, ...back] });
      }
    }
    for (const v of comp) within[v] = 0;
  }
  return found;
}

/** A cycle over allowed edges inside the component, if its allowed edges hold one. */
function firstCycle(
  g: DependencyGraph,
  comp: readonly number[],
  within: Uint8Array,
  allow: (t: number) => boolean,
): number[] | undefined {
  const sub = g.components(allow, within, comp)[0];
  if (!sub) return undefined;
  const inSub = g.mark;
  for (const v of sub) inSub[v] = 1;
  try {
    // Any edge inside the sub-component closes a cycle with a path back.
    for (const v of sub)
      for (const e of edgesFrom(g, v, inSub, allow)) {
        const back = g.path(g.edgeTo(e), v, allow, inSub);
        if (back) return [e, ...back];
      }
    return undefined;
  } finally {
    for (const v of sub) inSub[v] = 0;
  }
}

function edgesFrom(
  g: DependencyGraph,
  v: number,
  within: Uint8Array,
  allow: (t: number) => boolean,
): number[] {
  const out: number[] = [];
  for (const t of [WW, WR, RW]) if (allow(t)) out.push(...g.edgesOfType([v], within, t, Infinity));
  return out;
}
