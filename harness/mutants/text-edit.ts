import { readFileSync } from "node:fs";
import path from "node:path";
import type { ClusterConfig } from "../config/cluster-config.ts";
import { nodeNames, type NodeName } from "../topology/topology.ts";
import type { Mutation } from "../config/mutation.ts";

/**
 * A mutant's anchor is gone from the file it edits (the configuration changed under it). Thrown, never
 * ignored: a mutant that silently stopped mutating would count as killed or survived for nothing.
 */
export class AnchorNotFoundError extends Error {
  constructor(where: string, anchor: string | RegExp, found: number) {
    super(
      found === 0
        ? `anchor ${show(anchor)} not found in ${where}: update the mutant to the current file`
        : `anchor ${show(anchor)} found ${found} times in ${where}: make it unique`,
    );
    this.name = "AnchorNotFoundError";
  }
}

function show(anchor: string | RegExp): string {
  const s = typeof anchor === "string" ? JSON.stringify(anchor) : String(anchor);
  return s.length > 90 ? `${s.slice(0, 87)}…` : s;
}

/** Replaces the one occurrence of `anchor` in `text`; throws when it is missing or not unique. */
export function replaceOnce(
  text: string,
  anchor: string | RegExp,
  replacement: string,
  where: string,
): string {
  const re =
    typeof anchor === "string"
      ? new RegExp(anchor.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g")
      : new RegExp(anchor.source, anchor.flags.includes("g") ? anchor.flags : `${anchor.flags}g`);
  const found = [...text.matchAll(re)].length;
  if (found !== 1) throw new AnchorNotFoundError(where, anchor, found);
  // A function replacement: `$` in the new text is taken literally.
  const out = text.replace(re, () => replacement);
  if (out === text) throw new AnchorNotFoundError(`${where} (the edit changed nothing)`, anchor, 0);
  return out;
}

/**
 * Edits one alert rule (its block, from `- alert: <name>` to the next rule or group) in whichever
 * rule file holds it; the rule must exist exactly once across the files.
 */
export function editRule(
  rules: Readonly<Record<string, string>>,
  alert: string,
  edit: (block: string, where: string) => string,
): Record<string, string> {
  const header = new RegExp(`^( *)- alert: ${alert}[ \\t]*$`, "m");
  const holders = Object.entries(rules).filter(([, text]) => header.test(text));
  if (holders.length !== 1)
    throw new AnchorNotFoundError(
      `the rule files (${Object.keys(rules).join(", ")})`,
      header,
      holders.length,
    );
  const [file, text] = holders[0]!;
  const m = header.exec(text)!;
  const start = m.index;
  // The block ends where the next line at the same or a shallower indent starts a list item.
  const indent = m[1]!.length;
  const rest = text.slice(start + m[0].length);
  const next = new RegExp(`^ {0,${indent}}- `, "m").exec(rest);
  const end = next ? start + m[0].length + next.index : text.length;
  const where = `rule ${alert} in ${file}`;
  const block = text.slice(start, end);
  const edited = edit(block, where);
  if (edited === block) throw new AnchorNotFoundError(`${where} (the edit changed nothing)`, header, 0);
  return { ...rules, [file]: text.slice(0, start) + edited + text.slice(end) };
}

/** One node's (or every node's) rendered mariadb.cnf, edited. */
export function editMariadb(
  c: ClusterConfig,
  edit: (text: string, where: string) => string,
  only?: NodeName,
): ClusterConfig {
  const mariadb = { ...c.mariadb };
  for (const node of nodeNames)
    if (!only || node === only) mariadb[node] = edit(mariadb[node], `mariadb.cnf of ${node}`);
  return { ...c, mariadb };
}

/**
 * A file of the app (path under `cluster/app/`), edited and planted into both nodes' app containers
 * at its place under `/app/` (where the image copies `cluster/app/`).
 */
export function appFile(
  clusterDir: string,
  relPath: string,
  edit: (text: string, where: string) => string,
): NonNullable<Mutation["files"]> {
  const source = readFileSync(path.join(clusterDir, "app", relPath), "utf8");
  const content = edit(source, `cluster/app/${relPath}`);
  return nodeNames.map((node) => ({ alias: `${node}-app`, path: `/app/${relPath}`, content }));
}
