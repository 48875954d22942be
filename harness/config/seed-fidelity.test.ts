import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSettings } from "../settings/settings.ts";
import {
  FIDELITY_FILE,
  checkFidelity,
  fidelityCounts,
  fidelityKind,
  fidelitySummary,
  flattenSettings,
  literals,
  originalSources,
  parseFidelityTable,
  seedSources,
  type FidelitySource,
} from "./seed-fidelity.ts";

const { repoRoot } = resolveSettings();
const markdown = readFileSync(path.join(repoRoot, FIDELITY_FILE), "utf8");
const rows = parseFidelityTable(markdown);
const seed = seedSources(repoRoot);

// The original's files are not part of this repository: they sit in the shared folder beside the
// clone (here and in CI), or wherever FIREDRILL_SEED_ORIGINAL says.
const originalDir =
  process.env.FIREDRILL_SEED_ORIGINAL ?? path.resolve(repoRoot, "..", "shared", "seed", "original");

describe("the seed's fidelity table (cluster/config/seed/FIDELITY.md)", () => {
  it("has rows, each saying why it differs (or that it does not)", () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(rows.filter((r) => !fidelityKind(r.why)).map((r) => r.line)).toEqual([]);
    // Rows that quote the seed actually get checked: most of them.
    expect(rows.filter((r) => literals(r.seed).length > 0).length).toBeGreaterThanOrEqual(30);
  });

  it("quotes only what the seed's rendered config and settings really say", () => {
    expect(checkFidelity(rows, { seed })).toEqual([]);
  });

  it("quotes only what the original's files really say", (ctx) => {
    if (!existsSync(originalDir))
      return ctx.skip(
        `the original's files are not at ${originalDir} (FIREDRILL_SEED_ORIGINAL names their folder): only the seed side is checked`,
      );
    expect(checkFidelity(rows, { seed, original: originalSources(originalDir) })).toEqual([]);
  });

  it("catches a seed value the table gets wrong, naming the row", () => {
    // The seed's cell (the row's second quote of it; the first is the original's).
    const seedCell = "| `timeout connect 5000` | haproxy.cfg |";
    const planted = markdown.replace(seedCell, "| `timeout connect 3s` | haproxy.cfg |");
    expect(planted).not.toBe(markdown);
    const problems = checkFidelity(parseFidelityTable(planted), { seed });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^HAProxy \/ timeout connect \(line \d+\): seed `timeout connect 3s` is not in haproxy\.cfg$/,
    );
  });

  it("catches a seed config that changed under the table, naming the row", () => {
    const changed: FidelitySource = (name) =>
      name === "mariadb.cnf (node1)"
        ? seed(name)?.replace("auto_increment_offset = 2", "auto_increment_offset = 1")
        : seed(name);
    expect(checkFidelity(rows, { seed: changed })).toEqual([
      expect.stringMatching(
        /^MariaDB \/ auto_increment_offset, node1 \(line \d+\): seed `auto_increment_offset = 2` is not in mariadb\.cnf \(node1\)$/,
      ),
    ]);
  });

  it("catches a literal without a file, an unknown file and a row of no kind", () => {
    const row = rows.find((r) => r.setting === "balance")!;
    expect(
      checkFidelity(
        [
          { ...row, in: "–" },
          { ...row, in: "nowhere.cfg" },
          { ...row, why: "because" },
        ],
        { seed },
      ),
    ).toEqual([
      expect.stringContaining("the seed cell quotes 1 literal(s) but names no file"),
      expect.stringContaining('seed file "nowhere.cfg" is not one the checker can read'),
      expect.stringContaining('"why different" starts with none of'),
    ]);
  });

  it("reads the seed's run-time settings as key: value lines", () => {
    expect(
      flattenSettings({
        replication: { mode: "file-pos", connectRetrySeconds: 60 },
        grants: ["A", "B"],
        env: {},
      }),
    ).toEqual([
      "replication.mode: file-pos",
      "replication.connectRetrySeconds: 60",
      "grants: A, B",
      "env: (none)",
    ]);
  });

  it("sums the table up for the report", () => {
    const c = fidelityCounts(rows);
    expect(Object.values(c).reduce((a, b) => a + b, 0)).toBe(rows.length);
    expect(fidelitySummary(markdown)).toBe(
      `${FIDELITY_FILE}: ${rows.length - c.same} of ${rows.length} settings differ from the original ` +
        `(${c.forced} forced by the lab, ${c["not forced"]} not forced, ${c.added} added, ${c.unknown} unknown)` +
        "; not deployed: cAdvisor (not packaged in Debian bookworm; its image cannot be pulled here)",
    );
  });
});
