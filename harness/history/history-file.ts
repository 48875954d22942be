import { createWriteStream, readFileSync, type WriteStream } from "node:fs";
import type { FaultEvent, HistoryEvent } from "./history.ts";

/**
 * Appends events to `history.jsonl` as they happen (one JSON object a line), so a crashed run still
 * leaves a readable history, and keeps them in memory for the checkers.
 */
export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly out: WriteStream | undefined;
  private readonly t0 = performance.now();

  constructor(
    readonly runId: string,
    file?: string,
    /** Keep events in memory (checkers need them); off for very long benchmark runs. */
    private readonly keep = true,
  ) {
    this.out = file ? createWriteStream(file, { flags: "w" }) : undefined;
    this.append({ type: "start", time: 0, wallClock: new Date().toISOString(), runId });
  }

  /** Milliseconds since the history began. */
  now(): number {
    return performance.now() - this.t0;
  }

  append(event: HistoryEvent): void {
    if (this.keep) this.events.push(event);
    this.out?.write(`${JSON.stringify(event)}\n`);
  }

  fault(phase: FaultEvent["phase"], fault: string, detail?: string): void {
    this.append({ type: "fault", phase, fault, time: this.now(), ...(detail ? { detail } : {}) });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.out ? this.out.end((err?: Error | null) => (err ? reject(err) : resolve())) : resolve(),
    );
  }
}

/** Reads a saved history back, so analysis can be re-run on it. A torn last line is ignored. */
export function readHistory(file: string): HistoryEvent[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const events: HistoryEvent[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      events.push(JSON.parse(line) as HistoryEvent);
    } catch (err) {
      // Only the last line may be torn (the writer died mid-line); anything else is corruption.
      if (i < lines.length - 2) throw new Error(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
  });
  return events;
}
