import { vi } from "vitest";

/**
 * Collects what the code under test writes to stdout and stderr (for CLI tests that call `main`
 * in-process); restore with `vi.restoreAllMocks()` after each test.
 */
export function captureOutput(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  return { out, err };
}
