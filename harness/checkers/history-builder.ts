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
    node = "node1",
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

  fault(phase: "inject" | "heal", at: number): this {
    this.events.push({ type: "fault", phase, fault: "crash node1", time: at });
    return this;
  }
}
