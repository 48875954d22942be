import { fileURLToPath } from "node:url";
import { discover } from "../util/discover.ts";
import { isChecker, type Checker } from "./checker.ts";

/**
 * Every checker, one file each in `kinds/` (its default export): found there, so a new checker is
 * that one file and its test. The report re-runs saved specs through this list and the drills'
 * key figures come from it.
 */
export const checkers: readonly Checker[] = await discover(
  fileURLToPath(new URL("./kinds/", import.meta.url)),
  "checker",
  isChecker,
);

/** The checker with this id, or undefined. */
export function checkerById(id: string): Checker | undefined {
  return checkers.find((c) => c.id === id);
}
