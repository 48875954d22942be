/**
 * `pnpm bench:consistency [--sizes 100000,1000000,2000000] [--cap-mib N]`: how long the consistency
 * checker takes on histories of the workload's shape, and its peak memory. Each history is
 * simulated (the workload's planner and mix against a store that does everything right: it must
 * come out clean) and written as history.jsonl, then checked from that file in a fresh process
 * (the time includes reading and parsing it; the RSS is the whole process's peak). `--cap-mib`
 * caps V8's old space for that process up to 1 M operations (default 256, so the run proves the
 * target fits; bigger histories get proportionally more; 0: none).
 * Target: 1 M operations in ≤ 10 s and ≤ 500 MB, growing close to linearly. A benchmark: it
 * prints, it never fails.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { simulatedHistory } from "../checkers/consistency/simulated-history.ts";

const { values } = parseArgs({
  options: { sizes: { type: "string" }, "cap-mib": { type: "string" } },
  strict: true,
});
const sizes = (values.sizes ?? "100000,1000000,2000000").split(",").map(Number);
if (sizes.some((n) => !(Number.isInteger(n) && n > 0)))
  throw new Error(`--sizes must be positive integers separated by commas, not ${values.sizes}`);
const cap = Number(values["cap-mib"] ?? 256);

const dir = mkdtempSync(path.join(os.tmpdir(), "fd-consistency-bench-"));
const run = path.resolve("bin/run-ts.mjs");
const child = path.resolve("harness/bench/consistency-check-file.ts");
const rows: { n: number; seconds: number; analyse: number; rss: number }[] = [];
try {
  for (const n of sizes) {
    const file = path.join(dir, `history-${n}.jsonl`);
    const t0 = performance.now();
    const out = createWriteStream(file);
    for (const e of simulatedHistory({ operations: n, seed: n }))
      if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, "drain");
    out.end();
    await once(out, "finish");
    const mib = statSync(file).size / 2 ** 20;
    console.log(
      `${n} operations: simulated and written in ${((performance.now() - t0) / 1000).toFixed(1)} s (${mib.toFixed(0)} MiB)`,
    );
    // The cap holds a million operations; a bigger history gets room in proportion (and a quarter more,
    // measured: 2 M ran out of 512 MiB), so the run measures its time rather than dying.
    const capMiB = n <= 1_000_000 ? cap : Math.round((cap * 1.25 * n) / 1_000_000);
    const args = [...(cap > 0 ? [`--max-old-space-size=${capMiB}`] : []), run, child, file];
    const r = JSON.parse(
      execFileSync(process.execPath, args, { encoding: "utf8" }).trim().split("\n").at(-1)!,
    ) as {
      readSeconds: number;
      analyseSeconds: number;
      seconds: number;
      maxRssMiB: number;
      anomalies: number;
      size: Record<string, number>;
    };
    console.log(
      `  checked in ${r.seconds.toFixed(2)} s (reading and parsing ${r.readSeconds.toFixed(2)} s, analysis ${r.analyseSeconds.toFixed(2)} s), peak RSS ${r.maxRssMiB.toFixed(0)} MiB; ${r.anomalies} anomalies (must be 0); ${JSON.stringify(r.size)}`,
    );
    rows.push({ n, seconds: r.seconds, analyse: r.analyseSeconds, rss: r.maxRssMiB });
    rmSync(file);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log("\noperations  seconds  µs/op  analysis s  peak RSS MiB");
for (const r of rows)
  console.log(
    `${String(r.n).padStart(10)}  ${r.seconds.toFixed(2).padStart(7)}  ${((r.seconds / r.n) * 1e6).toFixed(2).padStart(5)}  ${r.analyse.toFixed(2).padStart(10)}  ${r.rss.toFixed(0).padStart(12)}`,
  );
if (rows.length >= 2) {
  const [a, b] = [rows[0]!, rows.at(-1)!];
  console.log(
    `growth: ${(b.n / a.n).toFixed(0)}× the operations took ${(b.seconds / a.seconds).toFixed(1)}× the time (linear: ${(b.n / a.n).toFixed(0)}×)`,
  );
}
