import { randomBytes } from "node:crypto";

/** Sortable and unique: `fd-20261125-013045-a1b2`. Used in labels, network names and report folders. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").replace(/\..*$/, "");
  return `fd-${stamp}-${randomBytes(2).toString("hex")}`;
}
