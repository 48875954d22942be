import { renameSync, writeFileSync } from "node:fs";

/**
 * Writes `value` as indented JSON through a temporary file renamed over `file`, so a reader (or a
 * run killed mid-write) never sees half a file: mutants.json and explore.json are rewritten this way
 * after every lab run.
 */
export function writeJsonAtomically(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
