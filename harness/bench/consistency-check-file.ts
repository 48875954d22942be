/**
 * The consistency benchmark's measured half, in a process of its own so its peak RSS is the
 * checker's: reads a history.jsonl line by line into columns (no event is kept as an object),
 * analyses it, prints one JSON line of figures. `node bin/run-ts.mjs harness/bench/consistency-check-file.ts <history.jsonl>`
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { analyseConsistency } from "../checkers/consistency/check-consistency.ts";
import { HistoryColumns } from "../checkers/consistency/columns.ts";

const file = process.argv[2];
if (!file) throw new Error("usage: consistency-check-file.ts <history.jsonl>");
const t0 = performance.now();
const columns = new HistoryColumns();
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity }))
  if (line) columns.add(JSON.parse(line));
const t1 = performance.now();
const a = analyseConsistency(columns);
const t2 = performance.now();
console.log(
  JSON.stringify({
    operations: a.size.operations,
    readSeconds: (t1 - t0) / 1000,
    analyseSeconds: (t2 - t1) / 1000,
    seconds: (t2 - t0) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
    anomalies: Object.values(a.counts).reduce((s, n) => s + n, 0),
    size: a.size,
  }),
);
