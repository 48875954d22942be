import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Every module of one folder, each the default export of its own file (`<id>.ts`, tests aside):
 * how the fault kinds, the checkers and the drills are registered, so a new one is one file and no
 * list elsewhere needs editing. A file whose default export is not of its kind, or whose id is not
 * its file name, is an error naming the file. Modules of such a folder must never import the
 * registry that discovers them: the registry waits for them at load time.
 */
export async function discover<T extends { id: string }>(
  dir: string,
  what: string,
  is: (value: unknown) => value is T,
): Promise<T[]> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))
    .sort();
  const found: T[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(dir, file)).href)) as { default?: unknown };
    const where = path.join(path.basename(dir), file);
    if (!is(module.default)) throw new Error(`${where}: its default export is not a ${what}`);
    const id = file.slice(0, -".ts".length);
    if (module.default.id !== id)
      throw new Error(`${where}: the ${what}'s id is "${module.default.id}", not its file name "${id}"`);
    found.push(module.default);
  }
  return found;
}
