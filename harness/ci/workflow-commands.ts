/**
 * GitHub Actions workflow commands (`::warning title=…::message`), the one place their text is
 * escaped. The runner reads a command up to the end of its line and decodes `%25`, `%0D`, `%0A` in the
 * message (and also `%3A`, `%2C` in a property such as `title`), so a finding with a newline would
 * otherwise cut the annotation short and print the rest as a plain log line, and a `%` in it would be
 * decoded as something else. Every workflow prints its annotations with dynamic text through this
 * module's CLI (`node bin/run-ts.mjs harness/ci/workflow-commands.ts …`); only fixed text stays inline.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

export type AnnotationKind = "error" | "warning" | "notice";

/** A command's message: `%`, `\r`, `\n` escaped (`%` first, so the escapes are not escaped again). */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A property's value (`title=`): as the message, plus `:` and `,`, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** One workflow command line, e.g. `::warning title=seed drill crash-node1 failed::lost 2 writes`. */
export function annotation(kind: AnnotationKind, message: string, title?: string): string {
  const props = title === undefined ? "" : ` title=${escapeProperty(title)}`;
  return `::${kind}${props}::${escapeData(message)}`;
}

interface DrillSummary {
  drill: string;
  profile?: string;
  verdict: string;
  reason?: string;
  findings?: string[];
}

/** One error per drill of `summary.json` that failed or was interrupted (never taken for a pass). */
export function drillAnnotations(results: readonly DrillSummary[], kind: AnnotationKind = "error"): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const who = `${r.profile ? `${r.profile} ` : ""}drill ${r.drill}`;
    if (r.verdict === "fail")
      lines.push(annotation(kind, (r.findings ?? []).slice(0, 3).join("; ") || "failed", `${who} failed`));
    else if (r.verdict === "interrupted")
      lines.push(annotation(kind, r.reason ?? "interrupted", `${who} interrupted`));
  }
  return lines;
}

interface MutantsResult {
  score: number | null;
  killed: number;
  survived: number;
  skipped: number;
  mutants: { id: string; title: string; status: string; awaits?: string }[];
}

/** The mutation score as a notice, and one warning per survivor. */
export function mutantAnnotations(r: MutantsResult): string[] {
  const pct = r.score === null ? "none" : `${Math.round(r.score * 100)} %`;
  return [
    annotation(
      "notice",
      `${pct} (${r.killed} killed, ${r.survived} survived, ${r.skipped} skipped)`,
      "mutation score",
    ),
    ...r.mutants
      .filter((m) => m.status === "survived")
      .map((m) =>
        annotation(
          "warning",
          `${m.title}${m.awaits ? ` (awaits ${m.awaits})` : ""}`,
          `mutant ${m.id} survived`,
        ),
      ),
  ];
}

/** One line of `firedrill explore --json`: a schedule, its verdict, and the minimal one if it failed. */
export interface ExploredSchedule {
  schedule: number;
  seed: number;
  faults: { kind: string; target: string | null; startSeconds: number; durationSeconds: number }[];
  verdict: string;
  reason?: string;
  findings: string[];
  minimal?: { faults: ExploredSchedule["faults"]; runs: number; file: string; stopped?: string };
}

const faultText = (f: ExploredSchedule["faults"][number]) =>
  `${f.kind}${f.target ? ` ${f.target}` : ""} at ${f.startSeconds} s for ${f.durationSeconds} s`;

/** The lines of `explore --json` output (one JSON object each; blank lines ignored). */
export function readExploreLines(text: string): ExploredSchedule[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as ExploredSchedule);
}

/**
 * An error per failed schedule (its minimal reproducer and how to replay it), a warning per schedule
 * skipped or not run, and a notice with the count: a finding of the nightly exploration.
 */
export function exploreAnnotations(lines: readonly ExploredSchedule[]): string[] {
  const failed = lines.filter((l) => l.verdict === "fail");
  const out = [
    annotation(
      "notice",
      `${lines.length} schedule(s): ${lines.filter((l) => l.verdict === "pass").length} passed, ${failed.length} failed`,
      "explore",
    ),
  ];
  for (const l of failed) {
    const minimal = l.minimal
      ? `; minimal after ${l.minimal.runs} run(s): ${l.minimal.faults.map(faultText).join("; ")} (replay: firedrill explore --replay ${l.minimal.file})`
      : "";
    out.push(
      annotation(
        "error",
        `${l.faults.map(faultText).join("; ")}: ${l.findings.slice(0, 3).join("; ")}${minimal}`,
        `explored schedule ${l.seed} failed`,
      ),
    );
  }
  for (const l of lines.filter((x) => x.verdict !== "pass" && x.verdict !== "fail"))
    out.push(
      annotation("warning", `${l.verdict}${l.reason ? `: ${l.reason}` : ""}`, `explored schedule ${l.seed}`),
    );
  return out;
}

const usage = `usage: workflow-commands.ts error|warning|notice [--title T] <message>
       workflow-commands.ts drills <summary.json>     (an error per failed or interrupted drill)
       workflow-commands.ts mutants <mutants.json>    (the score, and a warning per survivor)
       workflow-commands.ts explore <explore.jsonl>   (an error per failed schedule, with its minimal one)`;

/** The CLI the workflows call; returns the lines to print, or throws a usage error. */
export function commandLines(argv: readonly string[]): string[] {
  const [what, ...rest] = argv;
  const readJson = (file: string | undefined) => {
    if (!file) throw new Error(usage);
    return JSON.parse(readFileSync(path.resolve(file), "utf8")) as unknown;
  };
  if (what === "drills") return drillAnnotations(readJson(rest[0]) as DrillSummary[]);
  if (what === "mutants") return mutantAnnotations(readJson(rest[0]) as MutantsResult);
  if (what === "explore") {
    if (!rest[0]) throw new Error(usage);
    return exploreAnnotations(readExploreLines(readFileSync(path.resolve(rest[0]), "utf8")));
  }
  if (what === "error" || what === "warning" || what === "notice") {
    let title: string | undefined;
    if (rest[0] === "--title") {
      title = rest[1];
      rest.splice(0, 2);
    }
    if (title === undefined && argv.includes("--title")) throw new Error(usage);
    if (rest.length !== 1) throw new Error(usage);
    return [annotation(what, rest[0]!, title)];
  }
  throw new Error(usage);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    for (const line of commandLines(process.argv.slice(2))) process.stdout.write(`${line}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
