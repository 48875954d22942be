import { describe, expect, it } from "vitest";
import { abandonedRuns } from "./reaper.ts";

const host = "box";
const alive = (pid: number) => pid === 100;

describe("abandonedRuns", () => {
  it("reaps runs whose creating process is gone", () => {
    const things = [
      { run: "dead", pid: 200, host },
      { run: "dead", pid: 200, host },
      { run: "live", pid: 100, host },
    ];
    expect(abandonedRuns(things, () => false, alive, host)).toEqual(["dead"]);
  });

  it("spares labs left on purpose by `up` and runs of other hosts", () => {
    const things = [
      { run: "kept", pid: 200, host },
      { run: "elsewhere", pid: 200, host: "other" },
    ];
    expect(abandonedRuns(things, (r) => r === "kept", alive, host)).toEqual([]);
  });

  it("treats a missing or garbled pid label as abandoned", () => {
    expect(abandonedRuns([{ run: "odd", pid: Number.NaN, host }], () => false, alive, host)).toEqual(["odd"]);
  });
});
