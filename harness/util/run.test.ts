/**
 * The zx wrappers every subprocess goes through, on real processes: the time limit kills the child's
 * whole tree and says so, a failure carries the command, the exit code and the output's tail, lines
 * stream as they come, arguments reach the child verbatim.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandError, describeFailure, onPath, run, runChecked } from "./run.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "firedrill-run-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Whether a process with this pid still exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("run: the time limit", () => {
  it("kills the child and its children at the limit and says so", async () => {
    const pidFile = path.join(tmp, "grandchild.pid");
    const t0 = performance.now();
    // A grandchild in the background and a foreground sleep: both must go, not only the shell.
    const r = await run(["sh", "-c", `sleep 60 & echo $! > ${pidFile}; echo started; sleep 60`], {
      timeoutMs: 700,
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(10);
    expect(r).toMatchObject({ timedOut: true, killedWith: "SIGTERM" });
    // The shell died of the signal, or of its own child's death (128 + 15): both are the kill.
    expect(r.signal === "SIGTERM" || r.exitCode === 143, `${r.signal} / ${r.exitCode}`).toBe(true);
    // What the child printed; the shell adds its own "Terminated" line when its foreground sleep
    // received the signal before the shell did (a race on which process the tree kill reaches first).
    expect(r.output).toMatch(/^started\n(Terminated\n)?$/);
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    // The kill of the tree is sent at once; give the kernel a moment to reap.
    for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((res) => setTimeout(res, 100));
    expect(alive(grandchild), `grandchild ${grandchild} still running`).toBe(false);
    expect(describeFailure(r)).toMatch(
      /^sh -c .*sleep 60' still running after 0\.\d s: killed \(SIGTERM\)\nstarted(\nTerminated)?$/,
    );
  });

  it("a child that ignores SIGTERM gets SIGKILL after the grace", async () => {
    const err = await runChecked(["sh", "-c", "trap '' TERM; echo stubborn; sleep 60"], {
      timeoutMs: 300,
      killGraceMs: 300,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const e = err as CommandError;
    expect(e.result.timedOut).toBe(true);
    expect(e.result.killedWith).toBe("SIGKILL");
    // The tail: what the child printed (the outer shell may add its own "Killed" line).
    expect(e.message).toMatch(/still running after \d+(\.\d)? s: killed \(SIGKILL\)\nstubborn\b/);
  });

  it("a child that ends in time is not marked, and the limit's timer does not outlive it", async () => {
    const r = await run(["true"], { timeoutMs: 60_000 });
    expect(r).toMatchObject({ timedOut: false, exitCode: 0, signal: null });
  });
});

describe("runChecked: a failure carries the command, the exit code and the output's tail", () => {
  it("a non-zero exit quotes the last lines of stdout and stderr together", async () => {
    const script = "for i in $(seq 1 50); do echo line $i; done; echo oops >&2; exit 3";
    const err = await runChecked(["sh", "-c", script], { timeoutMs: 10_000, tailLines: 5 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CommandError);
    const e = err as CommandError;
    expect(e.exitCode).toBe(3);
    expect(e.signal).toBeNull();
    expect(e.command).toBe(`sh -c $'${script.replaceAll("'", "\\'")}'`);
    const [first, ...tail] = e.message.split("\n");
    expect(first).toBe(`${e.command} exited 3`);
    // stdout and stderr are two pipes: their relative order is not guaranteed, their content is.
    expect(tail.sort()).toEqual(["line 47", "line 48", "line 49", "line 50", "oops"].sort());
    expect(e.message).not.toContain("line 45");
    // The stack starts where runChecked was called (this file), not inside zx.
    expect(e.stack?.split("\n").find((l) => l.trim().startsWith("at "))).toContain("run.test.ts");
  });

  it("an exit code the shell set says what it means; a tool's own code is left to the tool", async () => {
    const missing = (await runChecked(["firedrill-no-such-tool"], { timeoutMs: 10_000 }).catch(
      (e: unknown) => e,
    )) as CommandError;
    expect(missing.message).toMatch(
      /^firedrill-no-such-tool exited 127 \(Command not found\)\n.*command not found$/,
    );
    const two = (await runChecked(["sh", "-c", "exit 2"], { timeoutMs: 10_000 }).catch(
      (e: unknown) => e,
    )) as CommandError;
    expect(two.message).toBe("sh -c $'exit 2' exited 2 (no output)");
  });

  it("accepted exit codes pass", async () => {
    const r = await runChecked(["sh", "-c", "exit 99"], { timeoutMs: 10_000, okExitCodes: [0, 99] });
    expect(r.exitCode).toBe(99);
  });
});

describe("run: what the child gets and what the caller sees", () => {
  it("every argument arrives verbatim (zx quotes it; no shell line is built by hand)", async () => {
    const nasty = [`it's "quoted"`, "$HOME", "`id`", "a;b|c&&d", "new\nline", "", "*"];
    const r = await run(["node", "-e", "console.log(JSON.stringify(process.argv.slice(1)))", ...nasty], {
      timeoutMs: 10_000,
    });
    expect(JSON.parse(r.stdout)).toEqual(nasty);
  });

  it("streams whole lines from stdout and stderr as they come, the last one without a newline too", async () => {
    const lines: string[] = [];
    const r = await run(["sh", "-c", "printf 'a\\nb\\n'; printf 'e\\n' >&2; sleep 0.2; printf 'tail'"], {
      timeoutMs: 10_000,
      onLine: (l) => lines.push(l),
    });
    expect([...lines].sort()).toEqual(["a", "b", "e", "tail"]);
    expect(lines.at(-1)).toBe("tail");
    expect(r.output).toContain("a\nb\n");
  });

  it("adds env to this process's environment; stdin is empty unless given", async () => {
    const r = await run(["sh", "-c", 'echo "$FIREDRILL_RUN_TEST:${PATH:+path}"; cat'], {
      env: { FIREDRILL_RUN_TEST: "set" },
      timeoutMs: 10_000,
    });
    expect(r.stdout).toBe("set:path\n");
    const fed = await run(["cat"], { input: "fed\n", timeoutMs: 10_000 });
    expect(fed.stdout).toBe("fed\n");
  });

  it("a command that cannot start at all throws, naming the command", async () => {
    await expect(run(["true"], { cwd: path.join(tmp, "missing"), timeoutMs: 10_000 })).rejects.toThrow(
      /^true: could not start: .*ENOENT/,
    );
    expect(existsSync(path.join(tmp, "missing"))).toBe(false);
  });

  it("onPath finds what the shell finds and treats its argument as a name only", async () => {
    expect(await onPath("sh")).toBe(true);
    expect(await onPath("firedrill-no-such-tool")).toBe(false);
    expect(await onPath(`sh; touch ${path.join(tmp, "injected")}`)).toBe(false);
    expect(existsSync(path.join(tmp, "injected"))).toBe(false);
  });
});
