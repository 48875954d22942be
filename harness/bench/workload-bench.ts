/**
 * `pnpm bench:workload`: (1) the generator's ceiling against the lab's HAProxy, side by side with
 * autocannon on the same request in the same run (target ratio ≥ 0.9) while recording the full
 * history to disk; (2) peak RSS while recording 1 M operations (target ≤ 200 MB), against a tiny
 * local HTTP server so the run takes minutes, not hours. A benchmark: it prints, it never fails.
 * `pnpm bench:workload` caps V8's old space at 128 MB: without a cap V8 lets garbage pile up to
 * ~300 MB RSS before collecting, which measures the collector's laziness, not what the run needs.
 * Options: --seconds N (each ceiling run, default 8), --rounds N (autocannon/firedrill pairs,
 * default 5), --ops N (RSS run, default 1000000), --rss-concurrency N (its most operations in flight,
 * default 64: at 10000/s that rides out only 6.4 ms of stand-in latency, less than this machine's
 * scheduling stalls under load; the run says which side each drop waited on).
 *
 * The two sides of the ceiling are measured alike: the same 32 keep-alive connections with one
 * request each in flight, reads of items that exist, counted the same way (answers received in a
 * window of `seconds`, whatever their status), in alternating rounds so a neighbour's load on a
 * shared machine falls on both; each round prints the 1-minute load average beside it.
 */
import { fork } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { HistoryRecorder } from "../history/history-file.ts";
import { startLab } from "../providers/start-lab.ts";
import { AppClient } from "../probes/app-client.ts";
import { stderrProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";
import { LATE_MS, runWorkload } from "../workload/workload.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string" },
    ops: { type: "string" },
    rounds: { type: "string" },
    "rss-concurrency": { type: "string" },
  },
  strict: true,
});
const seconds = Number(values.seconds ?? 8);
const rounds = Number(values.rounds ?? 5);
const totalOps = Number(values.ops ?? 1_000_000);
const rssConcurrency = Number(values["rss-concurrency"] ?? 64);
const progress = stderrProgress({ prefix: "bench" });
const tmp = mkdtempSync(path.join(os.tmpdir(), "fd-bench-"));
const CONNECTIONS = 32;
/** Seconds of firedrill's warm-up before its window: it creates the list and items its reads target. */
const WARMUP_SECONDS = 1;

const load = (): string => `load ${os.loadavg()[0]!.toFixed(2)}`;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function autocannonRound(url: string): Promise<{ rate: number; line: string }> {
  const at = load();
  const ac = await autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: seconds });
  const rate = ac.requests.total / seconds;
  return {
    rate,
    line: `autocannon          ${rate.toFixed(0).padStart(5)} req/s (p99 ${ac.latency.p99} ms, errors ${ac.errors}, non-2xx ${ac.non2xx}; ${at})`,
  };
}

async function firedrillRound(
  baseUrl: string,
  runId: string,
  round: number,
): Promise<{ rate: number; line: string }> {
  const at = load();
  const history = new HistoryRecorder(runId, path.join(tmp, `ceiling-${round}.jsonl`));
  const t0 = history.now();
  // Open model far above capacity, read-only, 32 in flight: a freed slot is refilled at the next
  // arrival, as autocannon refills a connection. The warm-up's first operations create the list
  // and item the reads need (the workload reads only what it acknowledged itself); its window, like
  // autocannon's, counts the answers received during `seconds` after it.
  const r = await runWorkload({
    baseUrl,
    phases: [
      { rate: 20, seconds: WARMUP_SECONDS },
      { rate: 20_000, seconds },
    ],
    maxOps: 20 * WARMUP_SECONDS + 20_000 * seconds,
    concurrency: CONNECTIONS,
    timeoutMs: 5000,
    mix: { "create-list": 0, "add-item": 0, "read-item": 1 },
    tag: "bench",
    history,
  });
  await history.close();
  const from = t0 + WARMUP_SECONDS * 1000;
  const to = from + seconds * 1000;
  let answered = 0;
  for (const e of history.events)
    if ((e.type === "ok" || e.type === "fail" || e.type === "info") && e.time >= from && e.time < to)
      answered++;
  const rate = answered / seconds;
  return {
    rate,
    line: `firedrill workload  ${rate.toFixed(0).padStart(5)} ops/s (p99 ${r.latency.p99} ms, fail ${r.fail}, info ${r.info}, ${r.dropped} arrivals over the 32 in flight; full history on disk; ${at})`,
  };
}

async function ceiling(): Promise<string[]> {
  const lab = await startLab({ profile: "hardened", settings: resolveSettings(), progress });
  try {
    const client = new AppClient(lab.endpoints.haproxy.url);
    const list = await client.createList(`bench-${lab.runId}`);
    const item = await client.addItem(list.body.id, "bench");
    const url = `${lab.endpoints.haproxy.url}/api/items/${item.body.id}`;
    const lines: string[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Alternate which side goes first, so neither always meets a warmer or a busier lab.
      const order = round % 2 === 1 ? ["autocannon", "firedrill"] : ["firedrill", "autocannon"];
      const rates: Record<string, number> = {};
      for (const side of order) {
        progress.step(`round ${round}/${rounds}: ${side}, ${CONNECTIONS} connections, ${seconds} s`);
        const r =
          side === "autocannon"
            ? await autocannonRound(url)
            : await firedrillRound(lab.endpoints.haproxy.url, lab.runId, round);
        rates[side] = r.rate;
        lines.push(`round ${round} ${r.line}`);
      }
      const ratio = rates.firedrill! / rates.autocannon!;
      ratios.push(ratio);
      lines.push(`round ${round} ratio               ${ratio.toFixed(2)}`);
    }
    lines.push(`ratio (median of ${rounds} rounds)  ${median(ratios).toFixed(2)}   target ≥ 0.9`);
    return lines;
  } finally {
    await lab.down();
  }
}

/** Lines, invokes, completions and drops in a history file, read in chunks (it is ~250 MB). */
async function countHistory(file: string): Promise<{ lines: number; invokes: number; drops: number }> {
  let lines = 0;
  let invokes = 0;
  let drops = 0;
  let carry = "";
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    const text = carry + (chunk as string);
    const last = text.lastIndexOf("\n");
    carry = text.slice(last + 1);
    for (
      let i = text.indexOf("\n"), from = 0;
      i >= 0 && i <= last;
      from = i + 1, i = text.indexOf("\n", from)
    ) {
      lines++;
      if (text.startsWith('{"type":"invoke"', from)) invokes++;
      else if (text.startsWith('{"type":"drop"', from)) drops++;
    }
  }
  return { lines, invokes, drops };
}

async function rss(): Promise<string[]> {
  // A stand-in for the app that answers instantly, in its own process so it does not count.
  const server = fork(path.join(import.meta.dirname, "tiny-app-server.mjs"), [], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve) => server.once("message", (m) => resolve(Number(m))));
  try {
    const file = path.join(tmp, "rss.jsonl");
    const history = new HistoryRecorder("rss", file, false);
    const rssBefore = process.memoryUsage().rss;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
    const loadBefore = load();
    // The generator's own stalls (its event loop late: by more than 6.4 ms, 64 in flight at 10000/s
    // are all waiting), beside droppedLate: which side a dropped arrival waited on.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    progress.step(`recording ${totalOps} operations against a local stand-in server (${loadBefore})`);
    const r = await runWorkload({
      baseUrl: `http://127.0.0.1:${port}`,
      phases: [{ rate: 10_000, seconds: Math.ceil(totalOps / 10_000) + 1 }],
      maxOps: totalOps,
      concurrency: rssConcurrency,
      timeoutMs: 5000,
      tag: "rss",
      history,
    });
    await history.close();
    const cpu = process.cpuUsage(cpu0);
    loopDelay.disable();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const s = (performance.now() - t0) / 1000;
    const done = r.ok + r.fail + r.info;
    const onDisk = await countHistory(file);
    const completions = onDisk.lines - 1 - onDisk.invokes - onDisk.drops;
    return [
      `1M-operation run     ${r.invoked} invoked, ${r.ok} ok, ${r.fail + r.info} not ok, ${r.dropped} arrivals dropped (${((100 * r.dropped) / (r.invoked + r.dropped)).toFixed(2)} %, target ≤ 1 %) in ${s.toFixed(0)} s at 10000/s offered, ${rssConcurrency} in flight (p99 ${r.latency.p99} ms; ${loadBefore} before, ${load()} after)`,
      `dropped arrivals     ${r.droppedLate} reached > ${LATE_MS} ms late (this process not running: descheduled, GC), ${r.dropped - r.droppedLate} on time with all ${rssConcurrency} slots waiting on the stand-in`,
      `history on disk      ${onDisk.invokes} invokes, ${completions} completions, ${onDisk.drops} drops (${onDisk.lines} lines)`,
      `generator CPU        ${((cpu.user + cpu.system) / done).toFixed(1)} µs per completed operation (user ${(cpu.user / done).toFixed(1)}, system ${(cpu.system / done).toFixed(1)}); its event loop late by p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms`,
      `peak RSS            ${(peak / 2 ** 20).toFixed(0)} MB   target ≤ 200 MB (${(rssBefore / 2 ** 20).toFixed(0)} MB before the run; history streamed to disk, not kept in memory; heap ${process.execArgv.join(" ") || "uncapped"})`,
    ];
  } finally {
    server.kill();
  }
}

try {
  // The 1 M-operation run first, so its peak RSS is its own, not what the ceiling's rounds (each
  // keeping its history in memory, as a drill does) left in the heap.
  const rssLines = await rss();
  const lines = [...(await ceiling()), ...rssLines];
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  // The 1 M-operation history alone is ~250 MB.
  rmSync(tmp, { recursive: true, force: true });
}
