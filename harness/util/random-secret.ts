import { randomBytes } from "node:crypto";

/** A per-run secret: URL- and shell-safe, so it can go into DSNs and config files unquoted. */
export function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString("base64url").replace(/[-_]/g, "x");
}
