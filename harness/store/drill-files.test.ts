import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runChecker } from "../checkers/run-checkers.ts";
import type { ConvergenceSample } from "./convergence-samples.ts";
import type { SavedFindings } from "./check-result.ts";
import {
  convergenceJson,
  drillDir,
  environmentJson,
  findingsJson,
  metricsJson,
  observedJson,
  readContainerLogs,
  readDrillHistory,
  recordHistory,
  resultJson,
  writeCheckInputs,
  writeContainerLog,
  writeDrillResult,
} from "./drill-files.ts";
import type { JsonArtifact } from "./json-artifact.ts";
import type { DrillEnvironment } from "./environment.ts";
import type { MetricSnapshot } from "./environment.ts";
import type { ObservedState } from "./observed.ts";
import { readDrillFolder, readRunFolder } from "./run-folder.ts";
import type { DrillResult } from "./drill-result.ts";

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), "fd-drill-files-"));

const result: DrillResult = {
  drill: "crash-node1",
  profile: "hardened",
  verdict: "fail",
  figures: { failoverSeconds: 1.5, secondsToConverge: null },
  findings: ["durability: node2: acknowledged item 42 is missing"],
  expectations: [{ description: "no acknowledged write lost", met: false, detail: "item 42" }],
  alerts: [
    {
      alert: "AppInstanceDown",
      labels: { node: "node1" },
      source: "prometheus",
      expect: "fires",
      detectSeconds: 5.5,
      notifySeconds: 7,
      resolveSeconds: null,
      met: false,
      detail: "never resolved",
    },
  ],
};

const outcome: Required<SavedFindings> = {
  verdicts: [
    {
      checker: "durability",
      valid: false,
      findings: [{ kind: "lost-write", message: "item 42 is missing", evidence: { node: "node2", id: 42 } }],
      figures: { acknowledgedWritesLost: 1 },
    },
    { checker: "convergence", valid: "unknown", findings: [], figures: {} },
  ],
  figures: { acknowledgedWritesLost: 1 },
  expectations: [{ description: "no acknowledged write lost", met: false }],
  alerts: result.alerts!,
  checkers: [
    { id: "durability" },
    { id: "convergence", options: { healAt: 14_000, quietAt: 20_000, boundSeconds: 10 } },
  ],
  waivers: [{ checker: "convergence", reason: "the seed's replicas may not catch up" }],
};

const observed: ObservedState = {
  tag: "crash-node1-t",
  time: 30_000,
  snapshots: {
    node1: { lists: [{ id: 1, title: "l" }], items: [{ id: 42, listId: 1, text: "crash-node1-t-item" }] },
    node2: { lists: [{ id: 1, title: "l" }], items: [] },
  },
  replication: {
    node1: {
      ioRunning: "Yes",
      sqlRunning: "Yes",
      lastIoError: "",
      lastSqlErrno: 0,
      lastSqlError: "",
      secondsBehindMaster: 0,
      connectRetry: 1,
      usingGtid: "Slave_Pos",
    },
    node2: null,
  },
  moments: { conflict: { node2: null } },
  errors: ["node2 replication: connection refused"],
};

const samples: ConvergenceSample[] = [
  {
    time: 14_000,
    node1: {
      gtidCurrentPos: "0-1-10",
      checksums: { todo_item: 1, todo_list: null },
      rows: { lists: [1], items: [1, 2] },
    },
    node2: undefined,
  },
  {
    time: 15_000,
    node1: { gtidCurrentPos: "0-1-11", checksums: { todo_item: 2 }, rows: { lists: [1], items: [2, 3] } },
    node2: { gtidCurrentPos: "0-1-11", checksums: { todo_item: 2 } },
  },
];

const environment: DrillEnvironment = {
  labRunId: "fd-t",
  profile: "hardened",
  startedAt: "2026-11-25T10:00:00.000Z",
  images: [{ alias: "haproxy", image: "firedrill/haproxy:abc", imageId: null, repoDigests: [] }],
  versions: { firedrill: "0.1.0", node: "v20.19.0", dockerEngine: null, gitCommit: "0123abc" },
  seed: "none",
  machine: { platform: "linux", release: "6.1", arch: "x64", cpus: 2, cpuModel: "cpu", memoryGiB: 4 },
  grafana: "running",
  overrides: { rate: 50 },
  unknown: ["docker version: refused"],
};

const metrics: MetricSnapshot = {
  prometheus: "http://127.0.0.1:9090",
  start: "2026-11-25T10:00:00.000Z",
  end: "2026-11-25T10:00:30.000Z",
  stepSeconds: 1,
  series: {
    up: { query: "up", result: [{ metric: { job: "app" }, values: [[1764064800, "1"]] }] },
    alerts: { query: "ALERTS", error: "503 unavailable" },
  },
};

/** Each JSON artifact with a value of its kind, and a file of another kind planted in its place. */
const cases: { artifact: JsonArtifact<unknown>; value: unknown; wrong: unknown; says: RegExp }[] = [
  {
    artifact: resultJson as JsonArtifact<unknown>,
    value: result,
    // A result.json that lost its verdict: never read as passed, nor as any verdict.
    wrong: { drill: "crash-node1", profile: "hardened", figures: {}, findings: [] },
    says: /^result\.json: not a drill's result: verdict: /,
  },
  {
    artifact: findingsJson as JsonArtifact<unknown>,
    value: outcome,
    wrong: [outcome],
    says: /^findings\.json: not a drill's findings: \(top\): .*expected object, received array/,
  },
  {
    artifact: observedJson as JsonArtifact<unknown>,
    value: observed,
    // A result where the databases should be.
    wrong: result,
    says: /^observed\.json: not the observed databases: tag: /,
  },
  {
    artifact: convergenceJson as JsonArtifact<unknown>,
    value: samples,
    wrong: { samples: [] },
    says: /^convergence\.json: not convergence samples: \(top\): .*expected array, received object/,
  },
  {
    artifact: environmentJson as JsonArtifact<unknown>,
    value: environment,
    wrong: { ...environment, images: "haproxy" },
    says: /^environment\.json: not a drill's environment: images: .*expected array, received string/,
  },
  {
    artifact: metricsJson as JsonArtifact<unknown>,
    value: metrics,
    wrong: { ...metrics, series: { up: { query: "up", result: [{ metric: {}, values: [["1", 1]] }] } } },
    says: /^metrics\/prometheus\.json: not a Prometheus snapshot: series\.up\.result\.0\.values\.0\.0: /,
  },
];

describe("each artifact of a drill's folder, written and read back", () => {
  for (const { artifact, value, wrong, says } of cases) {
    describe(artifact.file, () => {
      it("round-trips through its writer and reader, with no problem", () => {
        const dir = tempDir();
        artifact.write(dir, value);
        const problems: string[] = [];
        expect(artifact.read(dir, problems)).toEqual(value);
        expect(problems).toEqual([]);
      });

      it("a missing file is undefined and no problem (a drill that did not get that far)", () => {
        const problems: string[] = [];
        expect(artifact.read(tempDir(), problems)).toBeUndefined();
        expect(problems).toEqual([]);
        expect(artifact.inspect(tempDir())).toEqual({ state: "missing" });
      });

      it("a file of another kind is undefined, with one line naming the file and what is wrong", () => {
        const dir = tempDir();
        mkdirSync(path.dirname(path.join(dir, artifact.file)), { recursive: true });
        writeFileSync(path.join(dir, artifact.file), JSON.stringify(wrong));
        const problems: string[] = [];
        expect(artifact.read(dir, problems)).toBeUndefined();
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(says);
        expect(problems[0]).not.toContain("\n");
        expect(artifact.inspect(dir)).toMatchObject({ state: "unusable", why: "wrong kind" });
      });

      it("a torn file (not JSON) is undefined, with a problem naming the file", () => {
        const dir = tempDir();
        mkdirSync(path.dirname(path.join(dir, artifact.file)), { recursive: true });
        writeFileSync(path.join(dir, artifact.file), JSON.stringify(value).slice(0, 20));
        const problems: string[] = [];
        expect(artifact.read(dir, problems)).toBeUndefined();
        expect(problems).toEqual([expect.stringMatching(new RegExp(`^${artifact.file}: not JSON: `))]);
        expect(artifact.inspect(dir)).toMatchObject({ state: "unusable", why: "not JSON" });
      });
    });
  }

  it("says at most three issues of a file, and how many more", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "environment.json"), "{}");
    const problems: string[] = [];
    environmentJson.read(dir, problems);
    expect(problems[0]).toMatch(
      /^environment\.json: not a drill's environment: labRunId: .*; profile: .*; startedAt: .* \(\+\d+ more\)$/,
    );
  });

  it("findings.json: a checker this firedrill lacks still reads; re-run, it is unknown, saying so", () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, "findings.json"),
      JSON.stringify({ ...outcome, checkers: [{ id: "nope" }] }),
    );
    const problems: string[] = [];
    const read = findingsJson.read(dir, problems);
    expect(problems).toEqual([]);
    expect(runChecker(read!.checkers![0]!, { history: [] })).toMatchObject({
      checker: "nope",
      valid: "unknown",
      findings: [{ kind: "checker-crashed", message: 'no checker "nope" in this firedrill' }],
    });
  });

  it("keeps fields its schema does not name (a newer firedrill's, a mutant's label)", () => {
    const dir = tempDir();
    resultJson.write(dir, { ...result, mutant: "haproxy-tcp-check" });
    writeFileSync(
      path.join(dir, "observed.json"),
      JSON.stringify({ ...observed, extra: { from: "a newer firedrill" } }),
    );
    expect(resultJson.read(dir, [])?.mutant).toBe("haproxy-tcp-check");
    expect(observedJson.read(dir, [])).toMatchObject({ extra: { from: "a newer firedrill" } });
  });

  it("writeCheckInputs splits the outcome into findings.json, observed.json and convergence.json", () => {
    const dir = tempDir();
    writeCheckInputs(dir, { ...outcome, observed, samples });
    expect(readdirSync(dir).sort()).toEqual(["convergence.json", "findings.json", "observed.json"]);
    expect(findingsJson.read(dir, [])).toEqual(outcome);
    expect(observedJson.read(dir, [])).toEqual(observed);
    expect(convergenceJson.read(dir, [])).toEqual(samples);
    // Without them (a drill that took neither), findings.json alone.
    const bare = tempDir();
    writeCheckInputs(bare, outcome);
    expect(readdirSync(bare)).toEqual(["findings.json"]);
  });

  it("writeDrillResult writes into <run>/<drill>/<profile>/", () => {
    const runDir = tempDir();
    writeDrillResult(runDir, result);
    expect(resultJson.read(drillDir(runDir, "crash-node1", "hardened"), [])).toEqual(result);
  });

  it("history.jsonl and the logs round-trip too", async () => {
    const dir = tempDir();
    const history = recordHistory(dir, "fd-t");
    history.fault("inject", "crash node1");
    await history.close();
    expect(readDrillHistory(dir)?.map((e) => e.type)).toEqual(["start", "fault"]);
    expect(readDrillHistory(tempDir())).toBeUndefined();
    writeContainerLog(dir, "node2-db", "2026-11-25T10:00:00Z [ERROR] Slave I/O");
    writeContainerLog(dir, "haproxy", "");
    expect(readContainerLogs(dir)).toEqual([
      { alias: "haproxy", text: "\n" },
      { alias: "node2-db", text: "2026-11-25T10:00:00Z [ERROR] Slave I/O\n" },
    ]);
    expect(readContainerLogs(tempDir())).toEqual([]);
  });
});

describe("the report reading a folder with a planted file of the wrong kind", () => {
  it("a result.json of another kind beside a history is an interrupted drill, saying why", async () => {
    const runDir = tempDir();
    const dir = drillDir(runDir, "crash-node1", "seed");
    const history = recordHistory(dir, "fd-t");
    await history.close();
    writeFileSync(path.join(dir, "result.json"), "[]");
    const found = readDrillFolder(dir, "crash-node1", "seed")!;
    expect(found.result.verdict).toBe("interrupted");
    expect(found.result.reason).toMatch(/; result\.json is not a drill's result$/);
    expect(found.problems).toEqual([
      expect.stringMatching(
        /^result\.json: not a drill's result: \(top\): .*expected object, received array/,
      ),
    ]);
  });

  it("a findings.json of another kind is no findings, and the drill says which file and why", () => {
    const runDir = tempDir();
    writeDrillResult(runDir, result);
    const dir = drillDir(runDir, "crash-node1", "hardened");
    writeFileSync(path.join(dir, "findings.json"), JSON.stringify({ figures: {}, expectations: [] }));
    observedJson.write(dir, observed);
    const [d] = readRunFolder(runDir).drills;
    expect(d!.outcome).toBeUndefined();
    expect(d!.observed).toEqual(observed);
    expect(d!.problems).toEqual([
      expect.stringMatching(
        /^findings\.json: not a drill's findings: verdicts: .*expected array, received undefined$/,
      ),
    ]);
  });

  it("a history.jsonl line that is JSON but no event makes the history unreadable, naming the line", () => {
    const runDir = tempDir();
    const dir = drillDir(runDir, "crash-node1", "seed");
    writeFileSync(path.join(dir, "history.jsonl"), `${JSON.stringify({ type: "start", time: 0 })}\n[1, 2]\n`);
    const found = readDrillFolder(dir, "crash-node1", "seed")!;
    expect(found.history).toBeUndefined();
    expect(found.problems).toEqual([
      expect.stringMatching(/history\.jsonl:2: not a history event: \(top\): /),
    ]);
    expect(found.result.reason).toMatch(
      /history\.jsonl could not be read \(.*history\.jsonl:2: not a history event/,
    );
  });
});
