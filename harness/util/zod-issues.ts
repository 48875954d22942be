import type { z } from "zod";

/**
 * A failed parse as one line: where and what, for the first few issues ("verdict: Invalid option: …;
 * figures.x: …"). One line because it goes into a report's list of problems and a warning line; the
 * first issues say what kind of file it is not, and the rest would only repeat it.
 */
export function describeIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues
    .slice(0, max)
    .map((i) => `${i.path.map(String).join(".") || "(top)"}: ${i.message.replace(/\s+/g, " ")}`);
  const more = error.issues.length - shown.length;
  return `${shown.join("; ")}${more > 0 ? ` (+${more} more)` : ""}`;
}
