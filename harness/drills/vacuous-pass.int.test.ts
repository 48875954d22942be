import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readHistory } from "../history/history-file.ts";
import { catalogue } from "../mutants/catalogue.ts";
import { silentProgress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";
import { crashServer } from "../faults/kinds/crash-server.ts";
import { stopService } from "../faults/kinds/stop-service.ts";
import { expectAlert } from "../alerts/expect-alert.ts";
import type { Fault } from "../faults/fault.ts";
import { withFault } from "../faults/with-fault.ts";
import { DrillFolder } from "../store/run-store.ts";
import { drillSettings } from "./context.ts";
import { holds } from "./expectations.ts";
import { findDrill } from "./registry.ts";
import { runDrill } from "./run-drill.ts";
import { defineDrill, scripted, type DrillSpec } from "./spec.ts";
import { checkAlerts } from "./steps/check-alerts.ts";
import { checkAfterHeal } from "./steps/judge.ts";
import { phaseUnderLoad } from "./steps/load.ts";
import { startTestLab } from "../testing/lab-fixture.ts";
import { withRoot } from "../db/sql.ts";

// Every precondition that keeps a green run honest, proven by a planted case that must fail it.
const settings = drillSettings(resolveSettings(), process.env);
const runDir = () => mkdtempSync(path.join(os.tmpdir(), "fd-vacuous-"));
const mutation = (id: string) => catalogue.find((m) => m.id === id)!.mutation(settings.clusterDir);
const run = (def: DrillSpec, profile: "seed" | "hardened", dir: string, m?: string) =>
  runDrill(def, profile, {
    folder: new DrillFolder(dir, def.id, profile),
    settings,
    progress: silentProgress,
    ...(m ? { mutant: { id: m, mutation: mutation(m) } } : {}),
  });
const faultsIn = (dir: string, def: DrillSpec, profile: string) =>
  readHistory(path.join(dir, def.id, profile, "history.jsonl")).filter((e) => e.type === "fault");
const killNode1Db = findDrill("kill-node1-db");
const splitReplicationDrill = findDrill("split-replication");

/**
 * A short drill around one fault, built by hand (a planted fault no kind builds): load, fault,
 * heal, the usual checks; `quiet` alerts must stay quiet.
 */
const shortDrill = (id: string, fault: () => Fault, quiet: string[] = []): DrillSpec =>
  defineDrill({
    id,
    title: id,
    expects: { seed: id, hardened: id },
    plan: () =>
      scripted({
        extra: async (ctx) => {
          const f = fault();
          const load = await phaseUnderLoad(
            ctx,
            {
              description: f.name,
              seconds: 4,
              run: () => withFault(ctx.lab, ctx.history, f, () => sleep(4000)),
            },
            { rate: 10, beforeSeconds: 3, afterSeconds: 3 },
          );
          const checked = await checkAfterHeal(ctx, load, {
            convergenceBoundSeconds: 10,
            observeSeconds: 20,
            availability: {},
          });
          const alerts = quiet.length
            ? await checkAlerts(
                ctx,
                quiet.map((n) => expectAlert(n).staysQuiet()),
              )
            : undefined;
          return { checked, figures: {}, facts: {}, ...(alerts ? { alerts } : {}) };
        },
        expect: [holds("fault-effect", "the fault had its effect", "fault-effect")],
      }),
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("verdicts that cannot pass vacuously (planted cases, real labs)", () => {
  it("a shared lab left unclean by a drill before (a replica stopped): the next drill fails before its load", async () => {
    const lab = await startTestLab("hardened");
    try {
      const db = lab.endpoints.nodes.node2.db;
      await withRoot(db, (c) => c.query("STOP SLAVE SQL_THREAD"));
      const dir = runDir();
      const r = await runDrill(splitReplicationDrill, "hardened", {
        folder: new DrillFolder(dir, splitReplicationDrill.id, "hardened"),
        settings,
        progress: silentProgress,
        attach: async () => ({ ...lab, down: async () => {} }),
        cleanTimeoutMs: 3000,
      });
      expect(r.verdict).toBe("fail");
      expect(r.findings[0]).toMatch(
        /^lab unclean before the drill \(after \d+ s\): .*node2's replication: IO Yes, SQL No/,
      );
      expect(existsSync(path.join(dir, splitReplicationDrill.id, "hardened", "history.jsonl"))).toBe(false);
    } finally {
      await lab.down();
    }
  });

  it("a stack broken from the start (every new item answered 500): the fault is never injected, the drill fails", async () => {
    const dir = runDir();
    const r = await run(killNode1Db, "seed", dir, "app-500-on-new-items");
    expect(r.verdict).toBe("fail");
    expect(r.findings[0]).toMatch(
      /^steady state not met before the fault: .*\d+ of \d+ operation\(s\) before the fault did not succeed \(first: HTTP 500 from node1\)/,
    );
    expect(faultsIn(dir, killNode1Db, "seed")).toEqual([]);
  });

  it("a dead webhook: the seed drill that says nobody was alerted fails, the pipeline not proven alive", async () => {
    const dir = runDir();
    const r = await run(killNode1Db, "seed", dir, "alertmanager-dead-webhook");
    expect(r.verdict).toBe("fail");
    expect(r.findings.join("\n")).toContain("alert pipeline not proven alive");
  });

  it("a fault that does nothing: the drill fails with no observable effect", async () => {
    const dir = runDir();
    const noop = () => ({ ...crashServer("node1"), inject: async () => {}, heal: async () => {} });
    const r = await run(shortDrill("noop-fault", noop), "hardened", dir);
    expect(r.verdict).toBe("fail");
    expect(r.findings[0]).toBe(
      "expected: the fault had its effect — fault had no observable effect: crash node1 (expected: node1's services (node1-db, node1-exporter, node1-app, node1-node-exporter) do not answer)",
    );
  });

  it("a stopped Prometheus: an alert that must stay quiet is unknown, never quiet, and the drill fails", async () => {
    const dir = runDir();
    const r = await run(
      shortDrill("prometheus-stopped", () => stopService("prometheus"), ["MariaDBDown"]),
      "seed",
      dir,
    );
    expect(r.verdict).toBe("fail");
    const quiet = r.expectations!.find((e) => e.description === "MariaDBDown stays quiet")!;
    expect(quiet.met).toBe(false);
    expect(quiet.detail).toMatch(/^unknown: alert pipeline not proven alive: .*prometheus unreachable/);
  });
});
