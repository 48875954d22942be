/**
 * Cleanups that must run when the user presses Ctrl-C (or CI sends SIGTERM) in the middle of a run.
 * The first signal runs them all (each bounded) and exits 128+signal; a second signal exits at once.
 */
type Cleanup = () => Promise<unknown>;

const cleanups = new Set<Cleanup>();
let installed = false;
let exiting = false;

const signalNumbers: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };

function onSignal(signal: NodeJS.Signals) {
  if (exiting) process.exit(128 + (signalNumbers[signal] ?? 1));
  exiting = true;
  if (cleanups.size === 0) process.exit(128 + (signalNumbers[signal] ?? 1));
  process.stderr.write(`\nfiredrill: ${signal} received, removing this run's containers and network…\n`);
  const all = [...cleanups].map((fn) =>
    Promise.race([fn(), new Promise((r) => setTimeout(r, 30_000))]).catch((err) =>
      process.stderr.write(`firedrill: cleanup failed: ${(err as Error).message}\n`),
    ),
  );
  void Promise.all(all).finally(() => process.exit(128 + (signalNumbers[signal] ?? 1)));
}

export function onInterrupt(fn: Cleanup): () => void {
  if (!installed) {
    installed = true;
    for (const s of Object.keys(signalNumbers)) process.on(s, onSignal);
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}
