import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { writeInterruptedDrill } from "../../report/fixtures/planted-run.ts";
import { captureOutput } from "../../testing/capture-output.ts";
import { main } from "../main.ts";

afterEach(() => vi.restoreAllMocks());

describe("firedrill history export", () => {
  it("writes each drill's Elle histories next to its history.jsonl", async () => {
    const runDir = mkdtempSync(path.join(os.tmpdir(), "fd-export-"));
    writeInterruptedDrill(runDir, "split-replication", "hardened");
    const { out } = captureOutput();
    expect(await main(["history", "export", runDir, "--format", "elle", "--json"])).toBe(0);
    const [written] = JSON.parse(out.join("")) as { listAppend: string; rwRegister: string; ops: number }[];
    const lines = readFileSync(written!.listAppend, "utf8").trim().split("\n");
    // 160 appends invoked, 157 answered, three in flight when the run died (:info).
    expect(lines).toHaveLength(320);
    expect(lines.filter((l) => l.includes(":type :info"))).toHaveLength(3);
    expect(lines[0]).toBe("{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 1 1]]}");
    expect(readFileSync(written!.rwRegister, "utf8")).toContain("[[:w 5000 1]]");
  });

  it("refuses an unknown format and a folder that is not a run, in one line", async () => {
    const { err } = captureOutput();
    expect(await main(["history", "export", os.tmpdir(), "--format", "jepsen"])).toBe(2);
    expect(err.join("")).toMatch(/^firedrill history: unknown format "jepsen"; the formats are: elle\n$/);
    err.length = 0;
    expect(await main(["history", "export", path.join(os.tmpdir(), "no-such-run-fd")])).toBe(2);
    expect(err.join("")).toMatch(/^firedrill history: .* is not a folder\n$/);
    err.length = 0;
    expect(await main(["history", "import"])).toBe(2);
    expect(err.join("")).toMatch(
      /^firedrill history: unknown subcommand "import": `firedrill history export/,
    );
  });
});
