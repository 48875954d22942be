import { existsSync, readFileSync } from "node:fs";
import type { z } from "zod";
import { describe } from "../util/errors.ts";
import { describeIssues } from "../util/zod-issues.ts";

/**
 * A run's JSON file checked against its schema; undefined when the file is not there (the run was
 * not of that kind). One line naming the file and what is wrong when it cannot be read, is not
 * JSON, or is not `what`.
 */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, what: string): T | undefined {
  if (!existsSync(file)) return undefined;
  const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(
      `${file}: ${err instanceof SyntaxError ? "not JSON" : "cannot be read"}: ${oneLine(describe(err))}`,
    );
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new Error(`${file}: not ${what}: ${describeIssues(r.error)}`);
  return r.data;
}
