/**
 * `pnpm bench:workload`: (1) the generator's ceiling against the lab's HAProxy, side by side with
 * autocannon on the same request in the same run (target ratio ≥ 0.9) while recording the full
 * history to disk; (2) peak RSS while recording 1 M operations (target ≤ 200 MB), against a tiny
 * local HTTP server so the run takes minutes, not hours. A benchmark: it prints, it never fails.
 * `pnpm bench:workload` caps V8's old space at 128 MB: without a cap V8 lets garbage pile up to
 * ~300 MB RSS before collecting, which measures the collector's laziness, not what the run needs.
 * Options: --seconds N (ceiling runs, default 10), --ops N (RSS run, default 1000000).
 */
import { fork } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { HistoryRecorder } from "../history/history-file.ts";
import { startLab } from "../lab/start-lab.ts";
import { AppClient } from "../probes/app-client.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";
import { runWorkload } from "../workload/workload.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string" }, ops: { type: "string" } },
  strict: true,
});
const seconds = Number(values.seconds ?? 10);
const totalOps = Number(values.ops ?? 1_000_000);
const progress = stderrProgress({ prefix: "bench" });
const tmp = mkdtempSync(path.join(os.tmpdir(), "fd-bench-"));
const CONNECTIONS = 32;

async function ceiling(): Promise<string[]> {
  const lab = await startLab({ profile: "hardened", settings: resolveSettings(), progress });
  try {
    const client = new AppClient(lab.endpoints.haproxy.url);
    const list = await client.createList(`bench-${lab.runId}`);
    const item = await client.addItem(list.body.id, "bench");
    const url = `${lab.endpoints.haproxy.url}/api/items/${item.body.id}`;
    progress.step(`autocannon: GET ${url}, ${CONNECTIONS} connections, ${seconds} s`);
    const ac = await autocannon({ url, connections: CONNECTIONS, duration: seconds });
    const acRate = ac.requests.total / seconds;
    progress.step(
      `firedrill workload: read-item only, open model far above capacity, ${CONNECTIONS} in flight, ${seconds} s`,
    );
    const history = new HistoryRecorder(lab.runId, path.join(tmp, "ceiling.jsonl"));
    // Seed one item the reads can target: the workload reads only what it acknowledged itself.
    const r = await runWorkload({
      baseUrl: lab.endpoints.haproxy.url,
      phases: [
        { rate: 1, seconds: 1 },
        { rate: 20_000, seconds },
      ],
      maxOps: 1 + 20_000 * seconds,
      concurrency: CONNECTIONS,
      timeoutMs: 5000,
      mix: { "create-list": 0, "add-item": 0, "read-item": 1 },
      tag: "bench",
      history,
    });
    await history.close();
    const ours = (r.ok + r.fail + r.info) / seconds;
    return [
      `autocannon          ${acRate.toFixed(0)} req/s (p99 ${ac.latency.p99} ms, errors ${ac.errors}, non-2xx ${ac.non2xx})`,
      `firedrill workload  ${ours.toFixed(0)} ops/s (p99 ${r.latency.p99} ms, fail ${r.fail}, info ${r.info}; full history on disk)`,
      `ratio               ${(ours / acRate).toFixed(2)}   target ≥ 0.9`,
    ];
  } finally {
    await lab.down();
  }
}

async function rss(): Promise<string[]> {
  // A stand-in for the app that answers instantly, in its own process so it does not count.
  const server = fork(path.join(import.meta.dirname, "tiny-app-server.mjs"), [], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve) => server.once("message", (m) => resolve(Number(m))));
  try {
    const history = new HistoryRecorder("rss", path.join(tmp, "rss.jsonl"), false);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
    const t0 = performance.now();
    progress.step(`recording ${totalOps} operations against a local stand-in server`);
    const r = await runWorkload({
      baseUrl: `http://127.0.0.1:${port}`,
      // Below the client's ceiling against the stand-in (~19k ops/s measured), so all 1 M are sent.
      phases: [{ rate: 10_000, seconds: Math.ceil(totalOps / 10_000) + 1 }],
      maxOps: totalOps,
      concurrency: 64,
      timeoutMs: 5000,
      tag: "rss",
      history,
    });
    await history.close();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const s = (performance.now() - t0) / 1000;
    return [
      `1M-operation run     ${r.invoked} invoked, ${r.ok} ok, ${r.dropped} arrivals dropped (client at capacity) in ${s.toFixed(0)} s`,
      `peak RSS            ${(peak / 2 ** 20).toFixed(0)} MB   target ≤ 200 MB (history streamed to disk, not kept in memory; heap ${process.execArgv.join(" ") || "uncapped"})`,
    ];
  } finally {
    server.kill();
  }
}

const lines = [...(await ceiling()), ...(await rss())];
process.stdout.write(`${lines.join("\n")}\n`);
