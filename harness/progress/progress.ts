/**
 * Progress for long steps goes to stderr, so stdout stays clean for `--json`.
 *
 * Two renderings of the same calls:
 * - plain (the default; CI logs, vitest output, pipes): one timestamped line per step and detail;
 * - live (the CLI on a terminal): each step becomes one status line that updates in place with the
 *   step's elapsed time and its latest detail, and is printed for good, with how long it took, when
 *   the next step starts or the command ends. Warnings are always printed in full.
 */
export interface Progress {
  step(message: string): void;
  detail(message: string): void;
  warn(message: string): void;
  /** Ends the live status line (prints the last step with its time); a no-op for plain lines. */
  close?(): void;
}

/** Where progress is written: stderr, or a fake in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  columns?: number;
}

export interface ProgressOptions {
  /** Only warnings. */
  quiet?: boolean;
  prefix?: string;
  /** Render a live status line (only for a terminal; the CLI decides from `Settings.plainProgress`). */
  live?: boolean;
  stream?: ProgressStream;
  /** Milliseconds on a monotonic clock; injectable so tests control time. */
  now?: () => number;
  /** How often the live line's elapsed time is redrawn. */
  refreshMs?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function stderrProgress(o: ProgressOptions = {}): Progress {
  const stream = o.stream ?? process.stderr;
  const now = o.now ?? (() => performance.now());
  const prefix = o.prefix ?? "firedrill";
  const t0 = now();
  const stamp = (at = now()) => `[${prefix} ${`${((at - t0) / 1000).toFixed(1)}s`.padStart(7)}]`;
  if (!o.live) {
    return {
      step: (m) => {
        if (!o.quiet) stream.write(`${stamp()} ${m}\n`);
      },
      detail: (m) => {
        if (!o.quiet) stream.write(`${stamp()}   ${m}\n`);
      },
      warn: (m) => stream.write(`${stamp()} warning: ${m}\n`),
      close: () => {},
    };
  }
  return new LiveProgress(stream, now, stamp, Boolean(o.quiet), o.refreshMs ?? 250);
}

/** One status line, redrawn in place (`\r` + erase line); finished steps scroll up as plain lines. */
class LiveProgress implements Progress {
  private current: { message: string; startedAt: number; detail?: string } | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number,
    private readonly stamp: (at?: number) => string,
    private readonly quiet: boolean,
    private readonly refreshMs: number,
  ) {}

  step(message: string): void {
    if (this.quiet) return;
    this.finishCurrent();
    this.current = { message, startedAt: this.now() };
    this.draw();
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), this.refreshMs);
      // A forgotten close() must never keep the process alive.
      this.timer.unref?.();
    }
  }

  detail(message: string): void {
    if (this.quiet) return;
    if (!this.current) return this.step(message);
    this.current.detail = message;
    this.draw();
  }

  warn(message: string): void {
    this.erase();
    this.stream.write(`${this.stamp()} warning: ${message}\n`);
    this.draw();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.finishCurrent();
  }

  private finishCurrent(): void {
    this.erase();
    if (!this.current) return;
    const { message, startedAt } = this.current;
    this.stream.write(`${this.stamp(startedAt)} ${message} (${seconds(this.now() - startedAt)})\n`);
    this.current = undefined;
  }

  private erase(): void {
    if (this.drawn) this.stream.write("\r\x1b[2K");
    this.drawn = false;
  }

  private draw(): void {
    if (!this.current) return;
    const { message, startedAt, detail } = this.current;
    let line = `${this.stamp(startedAt)} ${message}${detail ? ` · ${detail}` : ""}`;
    const elapsed = ` … ${seconds(this.now() - startedAt)}`;
    // A line that wraps cannot be erased with one \r: cut it to the terminal's width.
    // A pseudo-terminal without a size reports 0 columns: then assume 100.
    const columns = this.stream.columns;
    const width = (columns && columns >= 20 ? columns : 100) - 1;
    if (line.length + elapsed.length > width)
      line = `${line.slice(0, Math.max(0, width - elapsed.length - 1))}…`;
    this.stream.write(`\r\x1b[2K${line}${elapsed}`);
    this.drawn = true;
  }
}

export const silentProgress: Progress = { step: () => {}, detail: () => {}, warn: () => {} };
