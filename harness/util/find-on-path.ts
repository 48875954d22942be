import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

/** The first executable file called `name` on `env.PATH`, as a shell would find it (no subprocess). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here, or not executable: the next PATH entry may have it.
      continue;
    }
  }
  return undefined;
}
