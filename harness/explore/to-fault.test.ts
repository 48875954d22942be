import { describe, expect, it } from "vitest";
import { faultKinds, faultName, targetsOf } from "./catalogue.ts";
import { toFault } from "./to-fault.ts";

describe("toFault", () => {
  const every = faultKinds.flatMap((kind) => targetsOf[kind].map((target) => ({ kind, target })));

  it("maps every kind and target of the catalogue to a real fault named as the catalogue names it", () => {
    for (const { kind, target } of every) {
      const fault = toFault({ kind, target, startSeconds: 0, durationSeconds: 2 });
      expect([kind, target, fault.name]).toEqual([kind, target, faultName(kind, target)]);
      // Every fault a drill injects states the effect it must be seen having.
      expect(fault.effect?.description).toBeTruthy();
    }
    expect(every.length).toBe(2 + 2 + 4 + 1 + 6);
  });

  it("asks for what each kind needs of the lab", () => {
    const needs = (kind: (typeof faultKinds)[number]) =>
      toFault({ kind, target: targetsOf[kind][0]!, startSeconds: 0, durationSeconds: 2 }).needs;
    expect(needs("crash-server")).toEqual(["kill"]);
    expect(needs("freeze-server")).toEqual(["pause"]);
    expect(needs("kill-service")).toEqual(["kill"]);
    expect(needs("split-replication")).toEqual(["netadmin"]);
    expect(needs("partition")).toEqual(["netadmin"]);
  });

  it("refuses a kind that needs a target without one", () => {
    expect(() =>
      toFault({ kind: "crash-server", target: null, startSeconds: 0, durationSeconds: 2 }),
    ).toThrow("crash-server needs a target, not null");
  });
});
