import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadClusterConfig } from "./cluster-config.ts";
import { profiles } from "./profiles.ts";

/**
 * `cluster/config/seed/FIDELITY.md`: the seed profile beside the original stack, one row per setting.
 * In its `original` and `seed` cells every code span is a literal that the file named under `from`
 * (resp. `in`) must contain, so the table cannot drift from the files it describes.
 */
export const FIDELITY_FILE = "cluster/config/seed/FIDELITY.md";

const COLUMNS = ["area", "setting", "original", "from", "seed", "in", "why different"] as const;

export interface FidelityRow {
  /** 1-based line in the Markdown, for messages. */
  line: number;
  area: string;
  setting: string;
  original: string;
  from: string;
  seed: string;
  in: string;
  why: string;
}

export const fidelityKinds = ["same", "forced", "not forced", "added", "unknown"] as const;
export type FidelityKind = (typeof fidelityKinds)[number];

/** "HAProxy / timeout connect (line 40)": how a message names a row. */
export function rowName(r: FidelityRow): string {
  return `${r.area} / ${r.setting} (line ${r.line})`;
}

/** Cells of one table line: split on unescaped `|`, `\|` read back as `|`. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

/** The rows of the one table whose header is the fidelity table's; throws when there is none. */
export function parseFidelityTable(markdown: string): FidelityRow[] {
  const lines = markdown.split("\n");
  const header = lines.findIndex((l) => l.trim().startsWith("|") && cells(l).join("|") === COLUMNS.join("|"));
  if (header < 0) throw new Error(`no table with the columns ${COLUMNS.join(", ")}`);
  const rows: FidelityRow[] = [];
  for (let i = header + 2; i < lines.length && lines[i]!.trim().startsWith("|"); i++) {
    const c = cells(lines[i]!);
    if (c.length !== COLUMNS.length)
      throw new Error(`line ${i + 1}: ${c.length} cells, the table has ${COLUMNS.length}`);
    const [area, setting, original, from, seed, inFile, why] = c as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    rows.push({ line: i + 1, area, setting, original, from, seed, in: inFile, why });
  }
  return rows;
}

/** What the `why different` cell says the row is; undefined when it starts with none of the kinds. */
export function fidelityKind(why: string): FidelityKind | undefined {
  if (/^same\b/.test(why)) return "same";
  return fidelityKinds.find((k) => why.startsWith(`${k}:`));
}

/** The code spans of a cell: the literals it claims its file contains. */
export function literals(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** Runs of whitespace as one space: alignment in a config file is not what the table is about. */
function squash(text: string): string {
  return text.replace(/\s+/g, " ");
}

/** A file's text by the name a cell gives it; undefined when the name means no file. */
export type FidelitySource = (name: string) => string | undefined;

/**
 * Every problem with the table: a row of no known kind, a literal without a file, a file that cannot
 * be read, a literal its file does not contain. `original` is left out where the original's files
 * are not at hand. Each message names its row.
 */
export function checkFidelity(
  rows: readonly FidelityRow[],
  sources: { seed: FidelitySource; original?: FidelitySource },
): string[] {
  const problems: string[] = [];
  const side = (r: FidelityRow, label: string, cell: string, file: string, source: FidelitySource) => {
    const quoted = literals(cell);
    const name = file.replace(/`/g, "").trim();
    if (name === "" || name === "–" || name === "-") {
      if (quoted.length)
        problems.push(
          `${rowName(r)}: the ${label} cell quotes ${quoted.length} literal(s) but names no file`,
        );
      return;
    }
    const text = source(name);
    if (text === undefined) {
      problems.push(`${rowName(r)}: ${label} file "${name}" is not one the checker can read`);
      return;
    }
    const haystack = squash(text);
    for (const q of quoted)
      if (!haystack.includes(squash(q))) problems.push(`${rowName(r)}: ${label} \`${q}\` is not in ${name}`);
  };
  if (rows.length === 0) problems.push("the table has no rows");
  for (const r of rows) {
    if (!fidelityKind(r.why))
      problems.push(`${rowName(r)}: "why different" starts with none of ${fidelityKinds.join(", ")}`);
    side(r, "seed", r.seed, r.in, sources.seed);
    if (sources.original) side(r, "original", r.original, r.from, sources.original);
  }
  return problems;
}

/** `key.path: value` lines of an object (lists joined with ", ", an empty object as "(none)"). */
export function flattenSettings(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return [`${prefix}: ${value.join(", ")}`];
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return [`${prefix}: (none)`];
    return entries.flatMap(([k, v]) => flattenSettings(v, prefix ? `${prefix}.${k}` : k));
  }
  return [`${prefix}: ${String(value)}`];
}

/**
 * The seed's files as the table names them: the profile's config rendered for one Docker engine (the
 * harness's own renderer), `profiles.ts (seed)` as flattened settings, any other path as that file of
 * the repository.
 */
export function seedSources(repoRoot: string): FidelitySource {
  const config = loadClusterConfig(path.join(repoRoot, "cluster"), "seed", {
    webhookUrl: "http://receiver:9099/hook/alertmanager",
  });
  const rendered: Record<string, string> = {
    "haproxy.cfg": config.haproxy,
    "prometheus.yml": config.prometheus,
    "alertmanager.yml": config.alertmanager,
    "mariadb.cnf (node1)": config.mariadb.node1,
    "mariadb.cnf (node2)": config.mariadb.node2,
    "profiles.ts (seed)": flattenSettings(profiles.seed).join("\n"),
    ...Object.fromEntries(Object.entries(config.rules).map(([f, text]) => [`rules/${f}`, text])),
  };
  return (name) => rendered[name] ?? readInside(repoRoot, name);
}

/** The original's files, copied flat into one folder (`haproxy/haproxy.cfg` → `haproxy_haproxy.cfg`). */
export function originalSources(dir: string): FidelitySource {
  return (name) => (name.includes("/") ? undefined : readInside(dir, name));
}

function readInside(root: string, name: string): string | undefined {
  const file = path.resolve(root, name);
  if (!file.startsWith(path.resolve(root) + path.sep) || !existsSync(file)) return undefined;
  return readFileSync(file, "utf8");
}

/** How many rows of each kind. */
export function fidelityCounts(rows: readonly FidelityRow[]): Record<FidelityKind, number> {
  const counts = Object.fromEntries(fidelityKinds.map((k) => [k, 0])) as Record<FidelityKind, number>;
  for (const r of rows) {
    const k = fidelityKind(r.why);
    if (k) counts[k]++;
  }
  return counts;
}

/** One line for a report: where the table is and how far the seed is from the original. */
export function fidelitySummary(markdown: string): string {
  const rows = parseFidelityTable(markdown);
  const c = fidelityCounts(rows);
  const differ = rows.length - c.same;
  // What the original ran and the seed does not at all (cAdvisor): the report names it, with why.
  const absent = rows
    .filter((r) => /^not deployed\b/.test(r.seed))
    .map((r) => `${r.setting} (${r.why.replace(/^forced: /, "")})`);
  return (
    `${FIDELITY_FILE}: ${differ} of ${rows.length} settings differ from the original ` +
    `(${c.forced} forced by the lab, ${c["not forced"]} not forced, ${c.added} added, ${c.unknown} unknown)` +
    (absent.length ? `; not deployed: ${absent.join("; ")}` : "")
  );
}

/** fidelitySummary of the repository's table. */
export function readFidelitySummary(repoRoot: string): string {
  return fidelitySummary(readFileSync(path.join(repoRoot, FIDELITY_FILE), "utf8"));
}
