import { afterEach, describe, expect, it, vi } from "vitest";
import { stderrProgress } from "./progress.ts";

function fakeTerminal(columns = 80) {
  let clock = 0;
  const writes: string[] = [];
  return {
    writes,
    stream: { write: (s: string) => writes.push(s), columns },
    now: () => clock,
    advance: (ms: number) => (clock += ms),
    /** What a terminal shows: `\r` + erase-line wipes the line being drawn. */
    screen: () =>
      writes
        .join("")
        .split("\n")
        .map((line) => line.split("\r\x1b[2K").at(-1)!),
  };
}

afterEach(() => vi.useRealTimers());

describe("progress on stderr", () => {
  it("writes plain timestamped lines when not on a terminal (CI logs, pipes)", () => {
    const t = fakeTerminal();
    const p = stderrProgress({ stream: t.stream, now: t.now });
    p.step("building image firedrill/app:abc");
    t.advance(1500);
    p.detail("app: Step 2/6 : RUN apt-get update");
    p.warn("Grafana skipped");
    p.close?.();
    expect(t.writes.join("")).toBe(
      [
        "[firedrill    0.0s] building image firedrill/app:abc",
        "[firedrill    1.5s]   app: Step 2/6 : RUN apt-get update",
        "[firedrill    1.5s] warning: Grafana skipped",
        "",
      ].join("\n"),
    );
    expect(t.writes.join("")).not.toContain("\r");
  });

  it("on a terminal keeps one status line with the step's elapsed time, then prints the step with its time", () => {
    vi.useFakeTimers();
    const t = fakeTerminal();
    const p = stderrProgress({ stream: t.stream, now: t.now, live: true, refreshMs: 250 });
    p.step("waiting for replication");
    expect(t.screen()).toEqual(["[firedrill    0.0s] waiting for replication … 0.0 s"]);
    t.advance(1200);
    vi.advanceTimersByTime(250);
    expect(t.screen()).toEqual(["[firedrill    0.0s] waiting for replication … 1.2 s"]);
    p.detail("node2 behind by 3 events");
    expect(t.screen()).toEqual([
      "[firedrill    0.0s] waiting for replication · node2 behind by 3 events … 1.2 s",
    ]);
    t.advance(800);
    p.step("drill crash-node1 (hardened)");
    t.advance(300);
    p.warn("alert watcher: last poll error");
    p.close?.();
    expect(t.screen()).toEqual([
      "[firedrill    0.0s] waiting for replication (2.0 s)",
      "[firedrill    2.3s] warning: alert watcher: last poll error",
      "[firedrill    2.0s] drill crash-node1 (hardened) (0.3 s)",
      "",
    ]);
    // close() stops the redraws: nothing more is written afterwards.
    const count = t.writes.length;
    vi.advanceTimersByTime(2000);
    expect(t.writes.length).toBe(count);
  });

  it("cuts the status line to the terminal's width so it never wraps", () => {
    const t = fakeTerminal(40);
    const p = stderrProgress({ stream: t.stream, now: t.now, live: true });
    p.step("building image firedrill/mariadb:0123456789abcdef");
    const line = t.screen()[0]!;
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line).toMatch(/… … 0\.0 s$/);
    p.close?.();
  });

  it("a terminal that reports no width gets 100 columns, not an empty line", () => {
    const t = fakeTerminal(0);
    const p = stderrProgress({ stream: t.stream, now: t.now, live: true });
    p.step("building image firedrill/app:abc");
    expect(t.screen()).toEqual(["[firedrill    0.0s] building image firedrill/app:abc … 0.0 s"]);
    p.close?.();
  });

  it("--quiet leaves only warnings, in both renderings", () => {
    for (const live of [false, true]) {
      const t = fakeTerminal();
      const p = stderrProgress({ stream: t.stream, now: t.now, live, quiet: true });
      p.step("building image");
      p.detail("Step 1/5");
      p.warn("debootstrap is slow");
      p.close?.();
      expect(t.screen().filter(Boolean)).toEqual(["[firedrill    0.0s] warning: debootstrap is slow"]);
    }
  });
});
