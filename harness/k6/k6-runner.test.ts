import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findOnPath } from "../util/find-on-path.ts";
import { K6_MISSING, k6Availability, runK6 } from "./k6-runner.ts";

// A real process on a real PATH, standing in for k6: it answers `version`, and for `run` it logs its
// arguments and writes the recorded summary where --summary-export says, then exits $FAKE_K6_EXIT.
const fixture = path.join(import.meta.dirname, "fixtures", "load-haproxy-ramp.summary.json");
const root = mkdtempSync(path.join(os.tmpdir(), "firedrill-k6-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fakeK6(version: string): { dir: string; log: string } {
  const dir = mkdtempSync(path.join(root, "bin-"));
  const log = path.join(dir, "args.log");
  writeFileSync(
    path.join(dir, "k6"),
    `#!/bin/sh
if [ "$1" = version ]; then echo "k6 ${version} (commit/abcdef0, go1.24.6, linux/amd64)"; exit 0; fi
printf '%s\\n' "$@" > "${log}"
while [ $# -gt 0 ]; do
  if [ "$1" = --summary-export ]; then cp "${fixture}" "$2"; fi
  shift
done
echo "running (fake)"
exit "\${FAKE_K6_EXIT:-0}"
`,
  );
  chmodSync(path.join(dir, "k6"), 0o755);
  return { dir, log };
}

const withPath = (...dirs: string[]) => ({ PATH: [...dirs, "/usr/bin", "/bin"].join(path.delimiter) });

describe("finding k6", () => {
  it("finds an executable k6 on PATH, in PATH order", async () => {
    const a = fakeK6("v1.3.0");
    const b = fakeK6("v0.49.0");
    expect(findOnPath("k6", withPath(a.dir, b.dir))).toBe(path.join(a.dir, "k6"));
    expect(await k6Availability(withPath(a.dir, b.dir))).toEqual({
      path: path.join(a.dir, "k6"),
      version: "1.3.0",
    });
  });

  it("without k6 on PATH, says so and how to fix it", async () => {
    const empty = mkdtempSync(path.join(root, "empty-"));
    // A file called k6 that cannot be executed is not k6 either.
    writeFileSync(path.join(empty, "k6"), "not a program");
    chmodSync(path.join(empty, "k6"), 0o644);
    mkdirSync(path.join(empty, "sub"));
    expect(findOnPath("k6", withPath(empty))).toBeUndefined();
    expect(await k6Availability(withPath(empty))).toEqual({ skipped: K6_MISSING });
    expect(K6_MISSING).toBe("k6 not found on PATH: install k6 to run the load drill with it");
  });

  it("a k6 too old for TypeScript scripts is skipped with the reason", async () => {
    const old = fakeK6("v0.49.0");
    expect(await k6Availability(withPath(old.dir))).toEqual({
      skipped:
        "k6 v0.49.0 is older than v0.57.0 and cannot run the TypeScript scripts in scenarios/k6: upgrade k6",
    });
  });
});

describe("running k6", () => {
  const k6 = fakeK6("v1.3.0");
  const base = {
    k6: path.join(k6.dir, "k6"),
    script: "/checkout/scenarios/k6/load-haproxy.ts",
    scriptEnv: { FIREDRILL_URL: "http://127.0.0.1:18080", FIREDRILL_PHASE: "ramp" },
    timeoutMs: 10_000,
  };

  it("runs `k6 run --summary-export` with the script's env as -e flags, and reads the summary", async () => {
    const summaryFile = path.join(root, "ok.summary.json");
    const run = await runK6({ ...base, summaryFile, env: { ...process.env, FAKE_K6_EXIT: "0" } });
    expect(readFileSync(k6.log, "utf8").trim().split("\n")).toEqual([
      "run",
      "--no-color",
      "--quiet",
      "--summary-export",
      summaryFile,
      "-e",
      "FIREDRILL_URL=http://127.0.0.1:18080",
      "-e",
      "FIREDRILL_PHASE=ramp",
      "/checkout/scenarios/k6/load-haproxy.ts",
    ]);
    expect(run).toMatchObject({ exitCode: 0, thresholdsCrossed: false, output: "running (fake)" });
    expect(run.summary.requests).toBe(5576);
  });

  it("exit 99 is crossed thresholds, not a crash: the summary is still read", async () => {
    const run = await runK6({
      ...base,
      summaryFile: path.join(root, "crossed.summary.json"),
      env: { ...process.env, FAKE_K6_EXIT: "99" },
    });
    expect(run).toMatchObject({ exitCode: 99, thresholdsCrossed: true });
    expect(run.summary.thresholds.filter((t) => !t.ok)).toHaveLength(3);
  });

  it("any other exit is an error carrying k6's output", async () => {
    await expect(
      runK6({
        ...base,
        summaryFile: path.join(root, "bad.summary.json"),
        env: { ...process.env, FAKE_K6_EXIT: "107" },
      }),
    ).rejects.toThrow(/^k6 run load-haproxy\.ts exited 107:\nrunning \(fake\)$/);
  });

  it("refuses to aim k6 anywhere but this machine's loopback", async () => {
    await expect(
      runK6({
        ...base,
        scriptEnv: { FIREDRILL_URL: "http://10.0.0.5:80" },
        summaryFile: path.join(root, "x.json"),
      }),
    ).rejects.toThrow("refusing to point k6 at http://10.0.0.5:80: load goes only to 127.0.0.1");
    expect(readFileSync(k6.log, "utf8")).not.toContain("10.0.0.5");
  });
});

describe("k6 from its image (FIREDRILL_K6_IMAGE), as the nightly runs it", () => {
  // A fake docker CLI: logs each call's arguments (one call per line), answers `run … version` like
  // the k6 image, writes the recorded summary for `run … run …`, and sleeps there when told to.
  function fakeDocker(): { dir: string; log: string } {
    const dir = mkdtempSync(path.join(root, "docker-"));
    const log = path.join(dir, "calls.log");
    writeFileSync(
      path.join(dir, "docker"),
      `#!/bin/sh
echo "$*" >> "${log}"
[ "$1" = rm ] && exit 0
last=""; summary=""; prev=""
for a in "$@"; do
  [ "$prev" = --summary-export ] && summary="$a"
  prev="$a"; last="$a"
done
if [ "$last" = version ]; then echo "k6 v1.3.0 (commit/abcdef0, go1.24.6, linux/amd64)"; exit 0; fi
if [ -n "$FAKE_DOCKER_SLEEP" ]; then sleep "$FAKE_DOCKER_SLEEP"; fi
cp "${fixture}" "$summary"
exit 0
`,
    );
    chmodSync(path.join(dir, "docker"), 0o755);
    return { dir, log };
  }
  const labels = { firedrill: "1", "firedrill.run": "fd-test-run", "firedrill.role": "k6" };

  it("finds the docker CLI and asks the image for its version, in a named, labelled container", async () => {
    const docker = fakeDocker();
    const env = { ...withPath(docker.dir), FIREDRILL_K6_IMAGE: "grafana/k6:1.3.0" };
    expect(await k6Availability(env, labels)).toEqual({
      path: path.join(docker.dir, "docker"),
      version: "1.3.0",
      image: "grafana/k6:1.3.0",
    });
    const call = readFileSync(docker.log, "utf8").trim();
    expect(call).toMatch(
      /^run --rm --name fd-test-run-k6-[0-9a-f]{8} --label firedrill=1 --label firedrill\.run=fd-test-run --label firedrill\.role=k6 --network host --user \d+:\d+ -w \/ grafana\/k6:1\.3\.0 version$/,
    );
  });

  it("without the docker CLI it is skipped with the reason", async () => {
    const empty = mkdtempSync(path.join(root, "empty-"));
    expect(await k6Availability({ PATH: empty, FIREDRILL_K6_IMAGE: "grafana/k6:1.3.0" })).toEqual({
      skipped: "FIREDRILL_K6_IMAGE=grafana/k6:1.3.0 needs the docker CLI on PATH, and it is not",
    });
  });

  it("runs k6 with --rm, the run's labels, the script's and summary's folders mounted at their own paths", async () => {
    const docker = fakeDocker();
    const script = path.join(root, "scenarios", "k6", "load-haproxy.ts");
    const summaryFile = path.join(root, "reports", "img.summary.json");
    mkdirSync(path.dirname(summaryFile), { recursive: true });
    const r = await runK6({
      k6: path.join(docker.dir, "docker"),
      image: "grafana/k6:1.3.0",
      labels,
      script,
      scriptEnv: { FIREDRILL_URL: "http://127.0.0.1:18080" },
      summaryFile,
      timeoutMs: 10_000,
      env: withPath(docker.dir),
    });
    expect(r.summary.requests).toBe(5576);
    const args = readFileSync(docker.log, "utf8").trim().split(" ");
    expect(args.slice(0, 3)).toEqual(["run", "--rm", "--name"]);
    expect(args[3]).toMatch(/^fd-test-run-k6-[0-9a-f]{8}$/);
    const dirs = [path.dirname(script), path.dirname(summaryFile)];
    expect(args.join(" ")).toContain(
      `-v ${dirs[0]}:${dirs[0]}:ro -v ${dirs[1]}:${dirs[1]} -w ${dirs[0]} grafana/k6:1.3.0 run --no-color`,
    );
    expect(args.at(-1)).toBe(script);
  });

  it("past its time limit, the container is removed by name (killing the docker CLI alone would leave it)", async () => {
    const docker = fakeDocker();
    const err = await runK6({
      k6: path.join(docker.dir, "docker"),
      image: "grafana/k6:1.3.0",
      labels,
      script: "/checkout/scenarios/k6/load-haproxy.ts",
      scriptEnv: {},
      summaryFile: path.join(root, "slow.summary.json"),
      timeoutMs: 500,
      env: { ...withPath(docker.dir), FAKE_DOCKER_SLEEP: "30" },
    }).catch((e: Error) => e);
    const calls = readFileSync(docker.log, "utf8").trim().split("\n");
    expect(calls).toHaveLength(2);
    const name = /--name (\S+)/.exec(calls[0]!)![1]!;
    expect(calls[1]).toBe(`rm --force ${name}`);
    expect((err as Error).message).toBe(
      `docker run still running after 0.5 s; killed; container ${name} removed`,
    );
  }, 15_000);
});
