import { describe } from "../util/errors.ts";

/** One thing a StateSampler polls in a loop of its own (HAProxy's metrics, one node's database). */
export interface Source {
  name: string;
  poll: (signal: AbortSignal) => Promise<void>;
  /** What the source's states become when it cannot be read. */
  onError: () => void;
  /** The poll under way or queued: every poll of this source chains on it, so two never overlap. */
  chain: Promise<void>;
  timer: NodeJS.Timeout | undefined;
  probeOk: boolean | undefined;
  polls: number;
  errors: number;
  totalMs: number;
  maxMs: number;
}

export interface SourceStats {
  polls: number;
  errors: number;
  /** Mean and worst duration of one read, in ms (the poll's cost). */
  meanMs: number;
  maxMs: number;
}

/** A source not polled yet. */
export function newSource(name: string, poll: Source["poll"], onError: () => void): Source {
  return {
    name,
    poll,
    onError,
    chain: Promise.resolve(),
    timer: undefined,
    probeOk: undefined,
    polls: 0,
    errors: 0,
    totalMs: 0,
    maxMs: 0,
  };
}

export function sourceStats(s: Source): SourceStats {
  return { polls: s.polls, errors: s.errors, meanMs: s.polls ? s.totalMs / s.polls : 0, maxMs: s.maxMs };
}

/**
 * One poll of `s`, given up `timeoutMs + 500` ms after it began; `probe` hears whether it answered
 * (and the first line of why not), and the source's counts and costs take the poll in.
 */
export async function pollBounded(
  s: Source,
  timeoutMs: number,
  probe: (ok: boolean, error?: string) => void,
): Promise<void> {
  const ac = new AbortController();
  const graceMs = timeoutMs + 500;
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`no answer within ${graceMs} ms`);
      // Aborting tells the reader to close its socket: a read given up on leaves nothing open.
      ac.abort(err);
      reject(err);
    }, graceMs);
  });
  const t0 = performance.now();
  try {
    await Promise.race([s.poll(ac.signal), hung]);
    probe(true);
  } catch (err) {
    s.errors++;
    probe(false, describe(err).split("\n")[0] ?? "");
    s.onError();
  } finally {
    clearTimeout(timer);
    const ms = performance.now() - t0;
    s.polls++;
    s.totalMs += ms;
    s.maxMs = Math.max(s.maxMs, ms);
  }
}
