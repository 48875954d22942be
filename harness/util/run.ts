/**
 * Every subprocess of firedrill (ansible-playbook, ansible-lint, vagrant, ssh, apt-get, debootstrap,
 * tar, git, k6 …) goes through zx: its quoting (an argv, never a hand-built shell line), its
 * process-tree kill, its exit-code meanings. On top of zx: a hard time limit on every call (SIGTERM
 * to the whole tree, SIGKILL after a grace), lines streamed as they come for callers that show
 * progress, and one error type that carries the command, the exit code and its meaning, the signal,
 * whether the limit was hit, the output's tail and where the call came from.
 */
import { $, ProcessOutput, type ProcessPromise } from "zx/core";

export interface RunOptions {
  cwd?: string;
  /** Added to this process's environment (not a replacement of it). */
  env?: NodeJS.ProcessEnv;
  /** Hard limit: the child's process tree then gets `timeoutSignal`, then SIGKILL `killGraceMs` later. */
  timeoutMs: number;
  /** SIGTERM unless said otherwise; a tool that must not clean up (k6) is sent SIGKILL at once. */
  timeoutSignal?: NodeJS.Signals;
  /** How long a tree sent SIGTERM at the limit may take to exit before SIGKILL (5 s). */
  killGraceMs?: number;
  /** Each line of stdout and stderr as it comes (without the newline), for progress. */
  onLine?: (line: string) => void;
  /** Written to the child's stdin (otherwise it has none: /dev/null). */
  input?: string;
}

export interface RunResult {
  /** The command as run, quoted for a shell: what a reader can paste to try it again. */
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The time limit was reached and the child's tree was killed. */
  timedOut: boolean;
  /**
   * The last signal sent to the tree at the limit (SIGKILL once the grace ran out). How the child
   * then ended is `signal` or `exitCode`: a shell whose own child died first exits 128+n instead.
   */
  killedWith: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in the order they arrived, as the tool printed them. */
  output: string;
  seconds: number;
}

/** A subprocess that failed: exited non-zero, died of a signal, or was killed at its time limit. */
export class CommandError extends Error {
  readonly result: RunResult;
  constructor(result: RunResult, tailLines = 30) {
    super(describeFailure(result, tailLines));
    this.name = "CommandError";
    this.result = result;
  }
  get exitCode(): number | null {
    return this.result.exitCode;
  }
  get signal(): NodeJS.Signals | null {
    return this.result.signal;
  }
  get command(): string {
    return this.result.command;
  }
}

const DEFAULT_GRACE_MS = 5000;

/**
 * Runs `argv` to its end or its time limit and returns what happened, whatever the exit status
 * (zx's `nothrow`): the caller decides what a non-zero exit means. Throws only when the command could
 * not be started at all (a missing working folder, no shell).
 */
export async function run(argv: readonly string[], o: RunOptions): Promise<RunResult> {
  if (argv.length === 0) throw new Error("run: empty command");
  // Where the call came from: the error is built after an await, whose stack no longer shows it.
  const callSite = new Error("called from");
  const t0 = performance.now();
  const p: ProcessPromise = $({
    cwd: o.cwd,
    env: { ...process.env, ...o.env },
    // No stdin unless given: a tool that would prompt (ssh, apt-get) reads end of file, not a pipe
    // left open until the time limit.
    ...(o.input === undefined ? { stdio: ["ignore", "pipe", "pipe"] } : { input: o.input }),
    nothrow: true,
    quiet: true,
    verbose: false,
  })`${argv}`;
  const streaming = o.onLine ? lineSplitter(o.onLine) : undefined;
  if (streaming) {
    p.stdout.on("data", (chunk: Buffer) => streaming.push("out", chunk));
    p.stderr.on("data", (chunk: Buffer) => streaming.push("err", chunk));
  }
  let timedOut = false;
  let killedWith: NodeJS.Signals | null = null;
  let grace: NodeJS.Timeout | undefined;
  const kill = (signal: NodeJS.Signals) => {
    killedWith = signal;
    void killTree(p, signal);
  };
  const limit = setTimeout(() => {
    timedOut = true;
    const signal = o.timeoutSignal ?? "SIGTERM";
    kill(signal);
    if (signal !== "SIGKILL") grace = setTimeout(() => kill("SIGKILL"), o.killGraceMs ?? DEFAULT_GRACE_MS);
  }, o.timeoutMs);
  let out: ProcessOutput;
  try {
    out = await p;
  } finally {
    clearTimeout(limit);
    clearTimeout(grace);
  }
  streaming?.flush();
  const command = p.cmd;
  // zx reports a spawn failure as an output with a cause and no real exit (the errno as its code).
  if (out.cause && out.signal === null && !timedOut) {
    const err = new Error(`${command}: could not start: ${out.cause.message}`, { cause: out.cause });
    err.stack = `${err.name}: ${err.message}\n${stackFrames(callSite)}`;
    throw err;
  }
  return {
    command,
    exitCode: out.exitCode,
    signal: out.signal,
    timedOut,
    killedWith,
    stdout: out.stdout,
    stderr: out.stderr,
    output: out.stdall,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Runs `argv` and throws a CommandError unless it exited with one of `okExitCodes` (0) within its
 * limit. The error's stack starts where this was called.
 */
export async function runChecked(
  argv: readonly string[],
  o: RunOptions & { okExitCodes?: readonly number[]; tailLines?: number },
): Promise<RunResult> {
  const callSite = new Error("called from");
  const r = await run(argv, o);
  if (!r.timedOut && r.signal === null && (o.okExitCodes ?? [0]).includes(r.exitCode ?? -1)) return r;
  const err = new CommandError(r, o.tailLines);
  err.stack = `${err.name}: ${err.message}\n${stackFrames(callSite)}`;
  throw err;
}

/**
 * One paragraph for a failed run: the command, how it ended (the exit code and its meaning, the
 * signal, or the time limit and what was sent), then the last `tailLines` lines it printed.
 */
export function describeFailure(r: RunResult, tailLines = 30): string {
  const how = r.timedOut
    ? `still running after ${round(r.seconds)} s: killed${r.killedWith ? ` (${r.killedWith})` : ""}`
    : r.signal
      ? `killed by ${r.signal}`
      : `exited ${r.exitCode}${exitMeaning(r.exitCode)}`;
  const tail = r.output.trimEnd().split("\n").slice(-tailLines).join("\n");
  return `${r.command} ${how}${tail ? `\n${tail}` : " (no output)"}`;
}

/** Whether an executable is on PATH (the shell's own `command -v`). */
export async function onPath(name: string): Promise<boolean> {
  try {
    const r = await run(["bash", "-c", 'command -v -- "$1"', "on-path", name], { timeoutMs: 5000 });
    return r.exitCode === 0;
  } catch {
    // bash itself missing would be a broken machine; treat as absent and let the caller say so.
    return false;
  }
}

/**
 * What an exit code means when the shell itself set it (126 cannot execute, 127 not found, 128+n
 * killed by signal n). Below 126 a code is the tool's own (ansible-playbook's 2 is "a host failed",
 * not zx's "misuse of shell builtins"), so none is guessed.
 */
function exitMeaning(code: number | null): string {
  const info = code === null || code < 126 ? undefined : ProcessOutput.getExitCodeInfo(code);
  return info ? ` (${info})` : "";
}

const round = (s: number) => Math.round(s * 10) / 10;

/** The frames of `e`'s stack below the function that made it: where that function was called from. */
function stackFrames(e: Error): string {
  return (e.stack ?? "").split("\n").slice(2).join("\n");
}

/** zx kills the child's whole process tree; a tree already gone is not an error. */
async function killTree(p: ProcessPromise, signal: NodeJS.Signals): Promise<void> {
  try {
    if (p.stage === "running") await p.kill(signal);
  } catch {
    // Raced with the child's own exit ("Too late to kill"): nothing left to kill.
    return;
  }
}

/** Splits two streams into whole lines, each stream with its own unfinished last line. */
function lineSplitter(onLine: (line: string) => void) {
  const pending = { out: "", err: "" };
  return {
    push(which: "out" | "err", chunk: Buffer) {
      const lines = (pending[which] + chunk.toString("utf8")).split("\n");
      pending[which] = lines.pop() ?? "";
      for (const l of lines) onLine(l);
    },
    flush() {
      for (const which of ["out", "err"] as const) {
        if (pending[which]) onLine(pending[which]);
        pending[which] = "";
      }
    },
  };
}
