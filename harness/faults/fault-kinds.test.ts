import { describe, expect, it } from "vitest";
import { exploredKinds, faultKinds, kindOf, sameTarget } from "./fault-kinds.ts";
import { faultName, toFault } from "./schedule.ts";

const f = (kind: string, target: string | null) => ({ kind, target });

describe("the fault-kind registry", () => {
  it("finds every kind in kinds/, one file each", () => {
    expect(faultKinds.map((k) => k.id)).toEqual([
      "bandwidth-limit",
      "crash-server",
      "freeze-server",
      "freeze-services",
      "kill-service",
      "latency",
      "packet-loss",
      "partition",
      "replica-lag",
      "split-replication",
      "stop-service",
    ]);
  });

  it("explore draws the kinds in the order every seed's plan was made with", () => {
    expect(exploredKinds.map((k) => k.id)).toEqual([
      "crash-server",
      "freeze-server",
      "kill-service",
      "split-replication",
      "partition",
    ]);
    expect(exploredKinds.flatMap((k) => k.targets)).toHaveLength(2 + 2 + 4 + 1 + 6);
  });

  it("builds every target of every kind without parameters into a real fault named as the kind names it", () => {
    for (const kind of faultKinds.filter((k) => !k.params))
      for (const target of kind.targets) {
        const fault = toFault({ kind: kind.id, target });
        expect([kind.id, target, fault.name]).toEqual([
          kind.id,
          target,
          faultName({ kind: kind.id, target }),
        ]);
        // Every fault a drill injects states the effect it must be seen having.
        expect(fault.effect?.description).toBeTruthy();
      }
  });

  it("builds a kind with parameters from them, and refuses it without", () => {
    const loss = toFault({ kind: "packet-loss", target: "node1-app", params: { percent: 30 } });
    expect([loss.name, loss.needs]).toEqual(["lose 30% of node1-app's packets", ["netadmin"]]);
    expect(toFault({ kind: "latency", target: "node1", params: { delayMs: 100 } }).needs).toEqual([
      "netadmin",
      "netem",
    ]);
    expect(() => toFault({ kind: "packet-loss", target: "node1-app" })).toThrow(/^packet-loss: /);
    expect(() => toFault({ kind: "packet-loss", target: "node1-app", params: { percent: 0 } })).toThrow(
      /percent/,
    );
  });

  it("asks for what each kind needs of the lab", () => {
    const needs = (kind: string) => toFault({ kind, target: kindOf(kind).targets[0]! }).needs;
    expect(needs("crash-server")).toEqual(["kill"]);
    expect(needs("freeze-server")).toEqual(["pause"]);
    expect(needs("kill-service")).toEqual(["kill"]);
    expect(needs("split-replication")).toEqual(["netadmin"]);
    expect(needs("partition")).toEqual(["netadmin"]);
    // SQL on the lab's own databases: any lab can.
    expect(needs("replica-lag")).toEqual([]);
  });

  it("refuses a kind that needs a target without one, and an unknown kind", () => {
    expect(() => toFault({ kind: "crash-server", target: null })).toThrow(
      "crash-server needs a target, not null",
    );
    expect(() => kindOf("meteor")).toThrow(
      /unknown fault kind "meteor"; kinds: bandwidth-limit, crash-server/,
    );
  });

  it("says which alerts each covered kind must raise, and nothing for the others", () => {
    expect(kindOf("crash-server").alerts?.("node1")).toEqual([
      { name: "ServerDown", labels: { server: "node1" } },
    ]);
    expect(kindOf("kill-service").alerts?.("node2-db")).toEqual([
      { name: "MariaDBDown", labels: { node: "node2" } },
    ]);
    expect(kindOf("kill-service").alerts?.("node1-app")).toEqual([
      { name: "AppInstanceDown", labels: { node: "node1" } },
    ]);
    expect(kindOf("split-replication").alerts?.(null)).toHaveLength(2);
    expect(kindOf("freeze-server").alerts).toBeUndefined();
    expect(kindOf("partition").alerts).toBeUndefined();
  });
});

describe("sameTarget", () => {
  it("a target, or a server and a service on it, is one thing", () => {
    expect(sameTarget(f("crash-server", "node1"), f("freeze-server", "node1"))).toBe(true);
    expect(sameTarget(f("crash-server", "node1"), f("kill-service", "node1-db"))).toBe(true);
    expect(sameTarget(f("kill-service", "node2-app"), f("freeze-server", "node2"))).toBe(true);
    expect(sameTarget(f("split-replication", null), f("split-replication", null))).toBe(true);
  });
  it("other services, and links, are not", () => {
    expect(sameTarget(f("crash-server", "node1"), f("kill-service", "node2-db"))).toBe(false);
    expect(sameTarget(f("kill-service", "node1-app"), f("kill-service", "node1-db"))).toBe(false);
    expect(sameTarget(f("partition", "node1|node2"), f("crash-server", "node1"))).toBe(false);
    expect(sameTarget(f("partition", "node1|node2"), f("split-replication", null))).toBe(false);
  });
});
