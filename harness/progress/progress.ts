/**
 * Progress for long steps goes to stderr, so stdout stays clean for `--json`. Plain timestamped
 * lines everywhere (they read the same on a TTY, in CI logs and in vitest output).
 */
export interface Progress {
  step(message: string): void;
  detail(message: string): void;
  warn(message: string): void;
}

export function stderrProgress({ quiet = false, prefix = "firedrill" } = {}): Progress {
  const t0 = performance.now();
  const stamp = () => `${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
  return {
    step: (m) => {
      if (!quiet) process.stderr.write(`[${prefix} ${stamp()}] ${m}\n`);
    },
    detail: (m) => {
      if (!quiet) process.stderr.write(`[${prefix} ${stamp()}]   ${m}\n`);
    },
    warn: (m) => process.stderr.write(`[${prefix} ${stamp()}] warning: ${m}\n`),
  };
}

export const silentProgress: Progress = { step: () => {}, detail: () => {}, warn: () => {} };
