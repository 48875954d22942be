import { spawn } from "node:child_process";

export interface ToolRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  seconds: number;
}

/**
 * Runs one external tool (ansible-playbook, ansible-lint, vagrant) with a hard time limit; stdout and
 * stderr are kept together, in order, so a failure can be shown as the tool printed it.
 */
export function runTool(
  argv: readonly string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number; onLine?: (line: string) => void },
): Promise<ToolRun> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error("runTool: empty command");
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let pending = "";
    const take = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      if (!opts.onLine) return;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) opts.onLine(l);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, output, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

/** Whether an executable is on PATH (no shell: `command -v` semantics over PATH). */
export async function onPath(name: string): Promise<boolean> {
  try {
    const r = await runTool(["sh", "-c", `command -v ${name}`], { cwd: "/", timeoutMs: 5000 });
    return r.exitCode === 0;
  } catch {
    // sh itself missing would be a broken machine; treat as absent and let the caller say so.
    return false;
  }
}
