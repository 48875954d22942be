import type { HistoryEvent, OpKind, OpValue } from "../history/history.ts";

/** Hand-written histories for checker tests: `op(...)` adds an invoke and its completion. */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [
    { type: "start", time: 0, wallClock: "2026-11-25T00:00:00Z", runId: "t" },
  ];
  private nextProcess = 0;

  op(
    kind: OpKind,
    value: OpValue,
    at: number,
    done: number,
    outcome: "ok" | "fail" | "info" = "ok",
    result: Partial<OpValue> = {},
    node: string | undefined = "node1",
  ): this {
    const process = this.nextProcess++;
    this.events.push({ type: "invoke", process, op: kind, value, time: at });
    const base = { process, op: kind, time: done, node, latencyMs: done - at };
    if (outcome === "ok")
      this.events.push({ ...base, type: "ok", value: { ...value, ...result } as OpValue });
    else
      this.events.push({ ...base, type: outcome, value, error: outcome === "info" ? "timeout" : "HTTP 503" });
    return this;
  }

  /** `n` successful reads, one every `every` ms from `at` (each taking 10 ms), served by `node`. */
  okRun(at: number, every: number, n: number, node: string): this {
    for (let i = 0; i < n; i++)
      this.op(
        "read-item",
        { itemId: 1 },
        at + i * every,
        at + i * every + 10,
        "ok",
        { found: true, text: "a" },
        node,
      );
    return this;
  }

  fault(
    phase: "inject" | "heal" | "effect",
    at: number,
    fault = "crash node1",
    extra: { effect?: string; detail?: string } = {},
  ): this {
    this.events.push({ type: "fault", phase, fault, time: at, ...extra });
    return this;
  }
}
