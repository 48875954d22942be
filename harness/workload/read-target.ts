/** Share of reads aimed uniformly at any item acknowledged so far: an old item lost or stale on a node gets read. */
export const READ_ANY_SHARE = 0.5;
/** The other reads pick among this many most recent acknowledgements: stale reads right after failback hide there. */
export const READ_RECENT_WINDOW = 50;

/**
 * Which acknowledged item a read targets: with probability READ_ANY_SHARE uniformly over all of
 * `items` (in acknowledgement order), otherwise uniformly over its last READ_RECENT_WINDOW. O(1) and
 * allocation-free: reads run at thousands per second over a list that only grows. `items` must not
 * be empty (the caller adds or creates first).
 */
export function pickReadTarget(items: readonly number[], random: () => number): number {
  const n = items.length;
  if (random() < READ_ANY_SHARE) return items[Math.floor(random() * n)]!;
  const window = Math.min(n, READ_RECENT_WINDOW);
  return items[n - window + Math.floor(random() * window)]!;
}
