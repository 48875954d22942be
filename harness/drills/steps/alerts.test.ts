import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadClusterConfig } from "../../config/cluster-config.ts";
import type { FaultSpan } from "../../faults/run-schedule.ts";
import { coveredAlerts, mergeAlertOutcomes } from "./alerts.ts";
import { HARDENED_ALERTS } from "./hardened-alerts.ts";

const span = (kind: string, target: string | null, from: number, seconds: number): FaultSpan => ({
  fault: { kind, target } as FaultSpan["fault"],
  name: `${kind} ${target ?? ""}`.trim(),
  injectAt: from * 1000,
  injectedAt: from * 1000 + 100,
  healAt: (from + seconds) * 1000 + 100,
  healedAt: (from + seconds) * 1000 + 600,
});

const shown = (spans: FaultSpan[]) =>
  coveredAlerts(spans).map((c) => [c.span.name, c.expected.map((e) => ({ ...e.spec }))]);

describe("which faults of an explored schedule must raise which alert", () => {
  it("a covered fault, alone for at least 10 s, must raise its drill-proven alert within the budgets", () => {
    expect(shown([span("crash-server", "node1", 0, 10)])).toEqual([
      [
        "crash-server node1",
        [
          {
            name: "ServerDown",
            labels: { server: "node1" },
            expect: "fires",
            firesWithin: 10,
            notifiedWithin: 15,
            resolvesWithin: 15,
          },
        ],
      ],
    ]);
    const names = (spans: FaultSpan[]) =>
      coveredAlerts(spans).flatMap((c) =>
        c.expected.map((e) => `${e.spec.name}${JSON.stringify(e.spec.labels)}`),
      );
    expect(names([span("kill-service", "node2-db", 0, 12)])).toEqual(['MariaDBDown{"node":"node2"}']);
    expect(names([span("kill-service", "node1-app", 0, 12)])).toEqual(['AppInstanceDown{"node":"node1"}']);
    expect(names([span("split-replication", null, 0, 10)])).toEqual([
      'ReplicationIOThreadStopped{"node":"node1"}',
      'ReplicationIOThreadStopped{"node":"node2"}',
    ]);
  });

  it("is not judged shorter than 10 s, beside another fault, or for a fault no drill proves", () => {
    expect(shown([span("crash-server", "node1", 0, 8)])).toEqual([]);
    expect(shown([span("crash-server", "node1", 0, 12), span("kill-service", "node2-app", 5, 3)])).toEqual(
      [],
    );
    expect(shown([span("freeze-server", "node1", 0, 15), span("partition", "node1|node2", 20, 15)])).toEqual(
      [],
    );
    // One after the other (the heal done before the next inject): both judged.
    expect(shown([span("crash-server", "node1", 0, 10), span("crash-server", "node2", 12, 10)])).toHaveLength(
      2,
    );
  });

  it("allows every alert the hardened profile has (its rules, read back)", () => {
    const config = loadClusterConfig(path.resolve("cluster"), "hardened", {
      webhookUrl: "http://receiver:9099/",
    });
    const names = Object.entries(config.rules)
      .filter(([f]) => !f.includes("watchdog"))
      .flatMap(([, text]) => (parse(text) as { groups: { rules: { alert?: string }[] }[] }).groups)
      .flatMap((g) => g.rules.map((r) => r.alert))
      .filter((n): n is string => n !== undefined);
    expect([...HARDENED_ALERTS].sort()).toEqual([...new Set(names)].sort());
  });

  it("merges several faults' judgements: every expectation named by its fault, the worst figure", () => {
    const m = mergeAlertOutcomes([
      {
        name: "crash node1",
        outcome: {
          alerts: [],
          expectations: [{ description: "ServerDown fires", met: true }],
          figures: { alertDetectSeconds: 3, alertResolveSeconds: null },
        },
      },
      {
        name: "kill node2-db",
        outcome: {
          alerts: [],
          expectations: [{ description: "MariaDBDown fires", met: false }],
          figures: { alertDetectSeconds: 5, alertResolveSeconds: 2 },
        },
      },
    ]);
    expect(m.expectations.map((e) => e.description)).toEqual([
      "crash node1: ServerDown fires",
      "kill node2-db: MariaDBDown fires",
    ]);
    expect(m.figures).toEqual({ alertDetectSeconds: 5, alertResolveSeconds: 2 });
  });
});
