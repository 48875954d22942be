import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findDrill } from "./registry.ts";
import { foundDrill, foundDrills } from "./found-drills.ts";

const schedule = {
  seed: 7,
  faults: [{ kind: "crash-server", target: "node1", startSeconds: 0, durationSeconds: 5 }],
};

describe("found schedules kept as drills", () => {
  it("every file of harness/explore/found is a drill of the registry, named after its file", () => {
    const found = foundDrills();
    expect(found.length).toBeGreaterThan(0);
    for (const d of found) expect(findDrill(d.id).title).toBe(d.title);
    expect(findDrill("split-replication-while-crash-node1").title).toMatch(/crash node1 while it is split/);
  });

  it("takes its id from the file and its title from the file, the rest from the schedule", () => {
    const d = foundDrill("my-find", JSON.stringify({ title: "A find", why: "because", schedule }), "f.json");
    expect(d.id).toBe("my-find");
    expect(d.title).toBe("A find");
    expect(d.expects.hardened).toMatch(/acknowledged write/);
  });

  it("names the file and the problem in one line when a file is malformed", () => {
    expect(() => foundDrill("x", "{", "x.json")).toThrow(/^x\.json: not JSON/);
    expect(() => foundDrill("x", JSON.stringify({ title: "t", schedule }), "x.json")).toThrow(
      /^x\.json: .*why/,
    );
    const bad = { ...schedule, faults: [{ ...schedule.faults[0], target: "node9" }] };
    expect(() => foundDrill("x", JSON.stringify({ title: "t", why: "w", schedule: bad }), "x.json")).toThrow(
      /^x\.json: not a fault schedule: .*node9/,
    );
  });

  it("reads a folder's .json files only, in name order", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "found-"));
    for (const n of ["b", "a"])
      writeFileSync(path.join(dir, `${n}.json`), JSON.stringify({ title: n, why: "w", schedule }));
    writeFileSync(path.join(dir, "README.md"), "not a schedule");
    expect(foundDrills(dir).map((d) => d.id)).toEqual(["a", "b"]);
  });
});
