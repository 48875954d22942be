import { appendFileSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HistoryRecorder, readHistory } from "./history-file.ts";
import { operations } from "./history.ts";

describe("history on disk", () => {
  it("streams events as JSON lines and reads them back; a torn last line (a crash) is ignored", async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "fd-hist-")), "history.jsonl");
    const h = new HistoryRecorder("run-1", file);
    h.append({ type: "invoke", process: 0, op: "create-list", value: { title: "a" }, time: 1 });
    h.fault("inject", "crash node1");
    h.append({
      type: "info",
      process: 0,
      op: "create-list",
      value: { title: "a" },
      time: 5,
      latencyMs: 4,
      error: "timeout",
    });
    await h.close();
    appendFileSync(file, '{"type":"invoke","proc');
    const events = readHistory(file);
    expect(events.map((e) => e.type)).toEqual(["start", "invoke", "fault", "info"]);
    expect(operations(events)).toEqual([{ invoke: events[1], completion: events[3] }]);
  });

  it("refuses corruption that is not a torn tail", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "fd-hist-")), "history.jsonl");
    appendFileSync(file, '{"type":"start"}\nnot json\n{"type":"fault"}\n');
    expect(() => readHistory(file)).toThrow(/history\.jsonl:2: not JSON/);
  });

  it("refuses a line that is JSON but not an event (a file of another kind), saying which", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "fd-hist-")), "history.jsonl");
    appendFileSync(file, '{"type":"start","time":0}\n{"verdict":"pass"}\n');
    expect(() => readHistory(file)).toThrow(/history\.jsonl:2: not a history event: type: .*; time: /);
  });
});
