import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { describeIssues } from "../util/zod-issues.ts";

/**
 * One JSON file of a drill's folder: its name, its writer (what the drill runner calls) and its
 * reader (what `firedrill report` calls), in one place, so a file's format changes in both
 * directions at once, and a file that is there but unusable (torn by a killed run, or of another
 * kind) is said once, the same way, naming the file. Readers check what they read with the file's
 * schema instead of trusting a cast: the report and the re-run checkers would otherwise fail far
 * from the cause (or, worse, draw a wrong-kind file as data). A file from a newer firedrill, with
 * fields more, still reads.
 */

/** What reading one artifact found. */
export type ArtifactRead<T> =
  | { state: "saved"; value: T }
  /** No such file: a drill that did not get that far, or a run from before the file existed. */
  | { state: "missing" }
  /** There, but unusable; `problem` is one line naming the file and saying what is wrong. */
  | { state: "unusable"; why: "not JSON" | "wrong kind"; problem: string };

/** One JSON file of a drill's folder. */
export interface JsonArtifact<T> {
  /** Its path in the drill's folder, with forward slashes (it is also how problems name it). */
  readonly file: string;
  write(dir: string, value: T): void;
  /**
   * The file's content; undefined when there is none (no problem: as the report always treated a
   * missing file) or when it is unusable, with a one-line problem added to `problems`.
   */
  read(dir: string, problems: string[]): T | undefined;
  /** The same, saying which of the three it was (result.json's absence and damage mean different things). */
  inspect(dir: string): ArtifactRead<T>;
}

export function jsonArtifact<T, Stored = T>(
  /** Its path in the drill's folder. */
  file: string,
  /** What the file holds, for the problem with a file of another kind: "a drill's result". */
  kind: string,
  schema: z.ZodType<Stored>,
  o: {
    /** Indented where people read the file (result, findings, environment); compact where it is bulky. */
    indent?: number;
    encode?: (value: T) => Stored;
    decode?: (stored: Stored) => T;
  } = {},
): JsonArtifact<T> {
  const spec = { file, kind, schema, ...o };
  const encode = spec.encode ?? ((v: T) => v as unknown as Stored);
  const decode = spec.decode ?? ((s: Stored) => s as unknown as T);
  const inspect = (dir: string): ArtifactRead<T> => {
    const file = path.join(dir, spec.file);
    if (!existsSync(file)) return { state: "missing" };
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      return {
        state: "unusable",
        why: "not JSON",
        problem: `${spec.file}: not JSON: ${(err as Error).message}`,
      };
    }
    // Fields the schema does not name are kept at the top (a newer firedrill's, a hand-added note):
    // the schema's types stay exact, the file's content is not trimmed on the way through.
    const schema = spec.schema instanceof z.ZodObject ? spec.schema.loose() : spec.schema;
    const checked = schema.safeParse(json);
    if (!checked.success)
      return {
        state: "unusable",
        why: "wrong kind",
        problem: `${spec.file}: not ${spec.kind}: ${describeIssues(checked.error)}`,
      };
    // The schema checks the file is of its kind, not every nested field: the rest is as written.
    return { state: "saved", value: decode(checked.data as Stored) };
  };
  return {
    file: spec.file,
    write(dir, value) {
      const file = path.join(dir, spec.file);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(encode(value), null, spec.indent)}\n`);
    },
    read(dir, problems) {
      const r = inspect(dir);
      if (r.state === "unusable") problems.push(r.problem);
      return r.state === "saved" ? r.value : undefined;
    },
    inspect,
  };
}
