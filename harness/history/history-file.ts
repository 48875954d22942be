import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { z } from "zod";
import { describeIssues } from "../util/zod-issues.ts";
import type { FaultEvent, HistoryEvent } from "./history.ts";

/**
 * Appends events to `history.jsonl` as they happen (one JSON object a line), so a crashed run still
 * leaves a readable history, and keeps them in memory for the checkers. Lines are written in small
 * synchronous batches (at most 256 lines or 100 ms old): memory stays bounded however fast the
 * workload runs, which an unawaited stream.write() would not do.
 */
export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly fd: number | undefined;
  private pending: string[] = [];
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly t0 = performance.now();
  /** The wall clock (epoch ms) at time 0, to place wall-clock stamps (webhook arrivals) on this history's time. */
  readonly wallClockMs = Date.now();
  private readonly listeners: ((e: HistoryEvent) => void)[] = [];

  constructor(
    readonly runId: string,
    file?: string,
    /** Keep events in memory (checkers need them); off for very long benchmark runs. */
    private readonly keep = true,
  ) {
    this.fd = file ? openSync(file, "w") : undefined;
    this.timer = file ? setInterval(() => this.flush(), 100).unref() : undefined;
    this.append({ type: "start", time: 0, wallClock: new Date().toISOString(), runId });
  }

  /** Milliseconds since the history began. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** History time (ms since start) of a wall-clock instant. */
  fromWallClock(epochMs: number): number {
    return epochMs - this.wallClockMs;
  }

  /** Called for every event appended (the harness's own metrics are derived this way). */
  subscribe(listener: (e: HistoryEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  append(event: HistoryEvent): void {
    if (this.keep) this.events.push(event);
    for (const l of this.listeners) l(event);
    if (this.fd === undefined) return;
    this.pending.push(JSON.stringify(event));
    if (this.pending.length >= 256) this.flush();
  }

  private flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    writeSync(this.fd, `${this.pending.join("\n")}\n`);
    this.pending = [];
  }

  fault(phase: FaultEvent["phase"], fault: string, detail?: string): void {
    this.append({ type: "fault", phase, fault, time: this.now(), ...(detail ? { detail } : {}) });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/**
 * What every line of a history is, whatever its kind: the timeline and the checkers dispatch on
 * `type` and place events by `time`. Only that much is checked (a line per operation, hundreds of
 * thousands in a long drill): enough to refuse a file of another kind, without re-describing each
 * event.
 */
const HistoryLine = z.looseObject({ type: z.string(), time: z.number() });

/**
 * Reads a saved history back, so analysis can be re-run on it. A torn last line is ignored; any
 * other line that is not JSON, or not an event, throws saying which line.
 */
export function readHistory(file: string): HistoryEvent[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const parsed: { line: number; value: unknown }[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      parsed.push({ line: i + 1, value: JSON.parse(line) });
    } catch (err) {
      // Only the last line may be torn (the writer died mid-line); anything else is corruption.
      if (i < lines.length - 2) throw new Error(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
  });
  // Then what the lines say: JSON that is not an event means the file is not a history.
  for (const { line, value } of parsed) {
    const checked = HistoryLine.safeParse(value);
    if (!checked.success)
      throw new Error(`${file}:${line}: not a history event: ${describeIssues(checked.error)}`);
  }
  return parsed.map((p) => p.value as HistoryEvent);
}
