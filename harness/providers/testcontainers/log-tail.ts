import type { Readable } from "node:stream";

/**
 * The last lines a container wrote while it started, kept in a bounded ring. testcontainers removes a
 * container whose wait failed before its error reaches the provider, so its logs must be read as
 * they are written (`withLogConsumer`) for a failed start to say why.
 */
export class LogTail {
  private readonly lines: string[] = [];
  private partial = "";
  private stream: Readable | undefined;
  private ended = false;
  private readonly onEnd: (() => void)[] = [];

  constructor(
    private readonly max = 40,
    /** A runaway line (a minified blob, a binary dump) is cut, so the ring stays small. */
    private readonly maxLineChars = 500,
  ) {}

  follow(stream: Readable): void {
    this.stream = stream;
    stream.on("data", this.onData);
    // Always handled: an error on a log stream must never crash the harness.
    stream.on("error", () => this.finish());
    stream.on("end", () => this.finish());
    stream.on("close", () => this.finish());
  }

  /** Adds text as it arrives (chunks are not line-aligned). */
  push(text: string): void {
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.add(line);
    if (this.partial.length > this.maxLineChars) {
      this.add(this.partial);
      this.partial = "";
    }
  }

  /** The last lines, the unterminated one included. */
  text(): string {
    const all = this.partial ? [...this.lines, this.partial].slice(-this.max) : this.lines;
    return all.join("\n").trimEnd();
  }

  /** Waits (at most `ms`) for the stream to end, so lines written just before the exit are in. */
  async settle(ms: number): Promise<string> {
    if (!this.ended && this.stream) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.onEnd.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.text();
  }

  /**
   * Stops parsing. The stream keeps flowing into nothing until the container goes: destroying it
   * would leave testcontainers' demuxer buffering a busy container's log (HAProxy logs every request).
   */
  stop(): void {
    if (!this.stream) return;
    this.stream.off("data", this.onData);
    this.stream.resume();
  }

  private readonly onData = (chunk: unknown) => this.push(String(chunk));

  private add(line: string): void {
    this.lines.push(line.length > this.maxLineChars ? `${line.slice(0, this.maxLineChars)}…` : line);
    if (this.lines.length > this.max) this.lines.shift();
  }

  private finish(): void {
    this.ended = true;
    for (const f of this.onEnd.splice(0)) f();
  }
}
