import { systemClock, type Clock } from "./clock.ts";
import { WaitTimeoutError } from "./errors.ts";

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  clock?: Clock;
}

/**
 * Polls `probe` until it returns a value other than undefined. Errors thrown by the probe are kept
 * (not swallowed) so the timeout can say what went wrong last.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 250, clock = systemClock }: WaitOptions,
): Promise<T> {
  const start = clock.now();
  let last: unknown = "condition not met";
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = "condition not met";
    } catch (err) {
      last = err;
    }
    const elapsed = clock.now() - start;
    if (elapsed >= timeoutMs) throw new WaitTimeoutError(what, elapsed, last);
    await clock.sleep(Math.min(intervalMs, Math.max(0, timeoutMs - elapsed)));
  }
}
