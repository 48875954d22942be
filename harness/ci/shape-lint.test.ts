import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { afterAll, describe, expect, it } from "vitest";
import { layers } from "../layers.js";

const repoRoot = path.resolve(import.meta.dirname, "..", "..");
const harness = path.join(repoRoot, "harness");

// Planted in real folders of the harness (the rules are the config's, by path), removed afterwards.
const planted = (folder: string) => path.join(harness, folder, `planted-shape-${process.pid}`);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function lint(files: Record<string, string>, folder: string) {
  const dir = planted(folder);
  dirs.push(dir);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const results = await new ESLint({ cwd: repoRoot }).lintFiles([dir]);
  return results.flatMap((r) => r.messages.map((m) => `${path.basename(r.filePath)}: ${m.ruleId}`));
}

describe("the lint keeps the harness's shape (eslint.config.js, harness/layers.js)", () => {
  it("fails on a planted import circle", async () => {
    const messages = await lint(
      {
        "a.ts": 'import { b } from "./b.ts";\nexport const a = (): unknown => b;\n',
        "b.ts": 'import { a } from "./a.ts";\nexport const b = (): unknown => a;\n',
      },
      "util",
    );
    expect(messages).toEqual(["a.ts: import-x/no-cycle", "b.ts: import-x/no-cycle"]);
  }, 60_000);

  it("fails on a planted import that runs back up the layers, and not on one that runs down", async () => {
    const messages = await lint(
      {
        "up.ts": 'import { drills } from "../../drills/registry.ts";\nexport const up = drills;\n',
        "down.ts": 'import { describe } from "../../util/errors.ts";\nexport const down = describe;\n',
      },
      "store",
    );
    expect(messages).toEqual(["up.ts: import-x/no-restricted-paths"]);
  }, 60_000);

  it("places every folder of harness/ in exactly one layer", () => {
    const folders = readdirSync(harness, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith("planted-"))
      .map((d) => d.name)
      .sort();
    const placed = layers.flatMap((l) => l.folders);
    expect(new Set(placed).size).toBe(placed.length);
    expect([...placed].sort()).toEqual(folders);
  });
});
