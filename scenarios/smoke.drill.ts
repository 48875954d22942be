/**
 * Drill "smoke" — the lab itself works, in both profiles.
 *
 * Runbook:
 *   1. Bring the four-server lab up.
 *   2. Send a bounded burst of real operations through HAProxy: create a list, add an item, read it back.
 *   3. Check replication both ways: what went in through HAProxy is on node2's database; a row written
 *      straight into node2 shows up on node1.
 *   4. Take the lab down; nothing labelled with the run is left.
 * Where the run shares one lab per profile, the smoke steps run on it (the lab's own start and
 * removal are then the run's: the global setup brings it up, `.ci/run` checks nothing is left).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ProfileName } from "../harness/config/profiles.ts";
import { verifyRoundTrip } from "../harness/db/replication-check.ts";
import { queryRows, withRoot } from "../harness/db/sql.ts";
import type { Lab } from "../harness/lab/lab.ts";
import { AppClient } from "../harness/probes/app-client.ts";
import { writeDrillResult } from "../harness/store/drill-files.ts";
import type { DrillResult } from "../harness/store/drill-result.ts";
import { leftovers } from "../harness/testing/lab-assertions.ts";
import { startTestLab } from "../harness/testing/lab-fixture.ts";
import { waitUntil } from "../harness/util/wait-until.ts";
import { resolveSettings } from "../harness/settings/settings.ts";
import { sideBySide } from "../harness/testing/run-scenario.ts";
import { attachExistingLab } from "../harness/providers/existing/existing-provider.ts";
import { stderrProgress } from "../harness/progress/progress.ts";

const OPERATIONS = 30; // bounded: 30 × (create, add, read) = 90 requests

describe.each<ProfileName>(resolveSettings().profiles)(
  "smoke drill, %s profile",
  { concurrent: sideBySide() },
  (profile) => {
    let lab: Lab;
    const result: DrillResult = { drill: "smoke", profile, verdict: "fail", figures: {}, findings: [] };
    // The verdict is "pass" only when every step below got to its end.
    const steps = { total: 2, done: 0 };

    const shared = inject("labFiles")[profile];

    beforeAll(async () => {
      const t0 = performance.now();
      lab = shared
        ? await attachExistingLab(shared, { progress: stderrProgress({ prefix: `smoke ${profile}` }) })
        : await startTestLab(profile);
      if (!shared) result.figures.labUpSeconds = (performance.now() - t0) / 1000;
    });

    afterAll(async () => {
      const runId = lab?.runId;
      await lab?.down();
      // A shared lab stays up for the next drill: only a lab of the smoke's own must be gone.
      const left = runId && !shared ? await leftovers(runId) : [];
      if (left.length > 0) result.findings.push(`left behind after down: ${left.join(", ")}`);
      if (steps.done < steps.total)
        result.findings.push(`${steps.total - steps.done} step(s) failed; see the test output`);
      result.verdict = result.findings.length === 0 ? "pass" : "fail";
      writeDrillResult(inject("reportRunDir"), result);
      expect(left).toEqual([]);
    });

    it("answers real operations through HAProxy", async () => {
      const client = new AppClient(lab.endpoints.haproxy.url);
      const latencies: number[] = [];
      const served = new Set<string>();
      for (let i = 0; i < OPERATIONS; i++) {
        const t0 = performance.now();
        const list = await client.createList(`smoke-${lab.runId}-${i}`);
        expect(list.status).toBe(201);
        const item = await client.addItem(list.body.id, `item ${i}`);
        expect(item.status).toBe(201);
        const read = await client.getItem(item.body.id);
        expect(read.status).toBe(200);
        expect(read.body.text).toBe(`item ${i}`);
        latencies.push(performance.now() - t0);
        served.add(String(read.servedBy));
      }
      latencies.sort((a, b) => a - b);
      result.figures.operations = OPERATIONS;
      result.figures.p50OperationMs = latencies[Math.floor(latencies.length / 2)] ?? null;
      expect([...served]).toEqual(["node1"]);
      steps.done++;
    });

    it("replicates both ways", async () => {
      const client = new AppClient(lab.endpoints.haproxy.url);
      const created = await client.createList(`smoke-replicated-${lab.runId}`);
      const db2 = lab.endpoints.nodes.node2.db;
      const t0 = performance.now();
      await waitUntil(
        "the list on node2",
        async () => {
          const rows = await withRoot(
            db2,
            (c) => queryRows(c, "SELECT id FROM todo_list WHERE id = ?", [created.body.id]),
            db2.database,
          );
          return rows.length === 1 ? true : undefined;
        },
        { timeoutMs: 2000, intervalMs: 50 },
      );
      result.figures.node1ToNode2Seconds = (performance.now() - t0) / 1000;
      const trip = await verifyRoundTrip(
        { name: "node2", db: lab.endpoints.nodes.node2.db },
        { name: "node1", db: lab.endpoints.nodes.node1.db },
        5000,
      );
      result.figures.node2ToNode1Seconds = trip.forwardSeconds;
      steps.done++;
    });
  },
);
