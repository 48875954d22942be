import { afterEach, describe, expect, it, vi } from "vitest";
import { formatResults } from "./commands/run.ts";
import { main } from "./main.ts";
import { captureOutput } from "../testing/capture-output.ts";

afterEach(() => vi.restoreAllMocks());

describe("CLI argument handling (no engine needed)", () => {
  it("an unknown command is one line on stderr and exit 2", async () => {
    const { err } = captureOutput();
    expect(await main(["launch"])).toBe(2);
    expect(err.join("")).toBe('firedrill: unknown command "launch"; run `firedrill --help` for the list\n');
  });

  it("an unknown option is an error, not ignored", async () => {
    const { err } = captureOutput();
    expect(await main(["up", "--profle", "seed"])).toBe(2);
    expect(err.join("")).toMatch(/^firedrill up: Unknown option '--profle'.*firedrill up --help`\n$/);
  });

  it("a wrong profile is refused before anything starts", async () => {
    const { err } = captureOutput();
    expect(await main(["up", "--profile", "nope"])).toBe(2);
    expect(err.join("")).toBe('firedrill up: unknown profile "nope"; use one of: seed, hardened\n');
  });

  it("--help works for every command", async () => {
    const { out } = captureOutput();
    for (const c of ["up", "status", "down", "images"]) expect(await main([c, "--help"])).toBe(0);
    expect(out.join("")).toMatch(
      /^usage: firedrill up \[--profile seed\|hardened\] .*\[--json\] \[--quiet\]$/m,
    );
  });

  it("documents the exit codes and where progress goes", async () => {
    const { out } = captureOutput();
    expect(await main(["--help"])).toBe(0);
    expect(out.join("")).toContain(
      "Exit codes: 0 success (for `run`: every drill passed), 1 a drill or check failed,",
    );
    expect(out.join("")).toContain("2 usage or environment error");
    expect(out.join("")).toContain("--quiet keeps only warnings");
  });

  it("run documents --json, --quiet and its exit codes", async () => {
    const { out } = captureOutput();
    expect(await main(["run", "--help"])).toBe(0);
    const help = out.join("");
    expect(help).toMatch(
      /^usage: firedrill run <drill> \[--profile seed\|hardened\] .*\[--json\] \[--quiet\]$/m,
    );
    expect(help).toContain("--json      print only the drill results");
    expect(help).toMatch(
      /exit codes: 0 every profile passed, 1 a profile failed, was skipped or was interrupted, 2 usage/,
    );
  });

  it("explore is listed and documents its options and exit codes", async () => {
    const { out } = captureOutput();
    expect(await main(["--help"])).toBe(0);
    expect(await main(["explore", "--help"])).toBe(0);
    const help = out.join("");
    expect(help).toMatch(/^ {2}explore {2}run seeded random fault schedules/m);
    expect(help).toMatch(
      /^usage: firedrill explore \[--profile seed\|hardened\] .*\[--plan-only\] \[--replay FILE\] \[--mutant ID\] \[--json\] \[--quiet\]$/m,
    );
    expect(help).toMatch(
      /exit codes: 0 every schedule passed \(or --plan-only\), 1 a schedule failed, was skipped or was not run, 2 usage/,
    );
  });

  it("run --json with a mistake prints nothing on stdout and exits 2", async () => {
    const { out, err } = captureOutput();
    expect(await main(["run", "no-such-drill", "--json", "--quiet"])).toBe(2);
    expect(out).toEqual([]);
    expect(err.join("")).toMatch(/^firedrill run: unknown drill "no-such-drill"; drills: crash-node1, .*\n$/);
  });

  it("a bad FIREDRILL_PROFILES or FIREDRILL_LOAD_GENERATOR is one line and exit 2, before anything starts", async () => {
    const { err } = captureOutput();
    expect(await main(["run", "crash-node1"], { FIREDRILL_PROFILES: "hardend" })).toBe(2);
    expect(await main(["run", "load-haproxy"], { FIREDRILL_LOAD_GENERATOR: "wrk" })).toBe(2);
    expect(err.join("")).toBe(
      'firedrill run: FIREDRILL_PROFILES: unknown profile "hardend"; use a comma list of: seed, hardened\n' +
        'firedrill run: FIREDRILL_LOAD_GENERATOR: unknown generator "wrk"; use one of: builtin, k6\n',
    );
  });
});

describe("run's human output", () => {
  it("one line per profile, findings indented, then the report's path", () => {
    const text = formatResults(
      [
        { drill: "crash-node1", profile: "hardened", verdict: "pass", figures: {}, findings: [] },
        {
          drill: "crash-node1",
          profile: "seed",
          verdict: "fail",
          figures: {},
          findings: ["expected: failover ≤ 2 s — failover 4.1 s"],
        },
        {
          drill: "load-haproxy",
          profile: "seed",
          verdict: "skipped",
          reason: "k6 not found on PATH",
          figures: {},
          findings: [],
        },
      ],
      `${process.cwd()}/reports/fd-1`,
    );
    expect(text).toBe(
      [
        "crash-node1 hardened: pass",
        "crash-node1 seed: fail",
        "  - expected: failover ≤ 2 s — failover 4.1 s",
        "load-haproxy seed: skipped (k6 not found on PATH)",
        "report: reports/fd-1/summary.json",
        "",
      ].join("\n"),
    );
  });
});
