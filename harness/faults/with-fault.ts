import type { HistoryRecorder } from "../history/history-file.ts";
import type { Lab } from "../lab/lab.ts";
import { onInterrupt } from "../lab/signal-cleanup.ts";
import type { Fault } from "./fault.ts";
import { requireSupported } from "./lab-target.ts";

const LOOK_EVERY_MS = 250;

/**
 * Injects `fault`, runs `during`, and heals in `finally` — also on failure and on Ctrl-C. Both
 * moments go into the history with their times; so does the first moment the fault's observable
 * effect is seen (looked for from the inject on, and once more just before the heal), with the
 * evidence. A fault whose effect is never seen is judged by the fault-effect checker. A fault the lab
 * cannot do (its `needs`) throws FaultUnsupportedError before anything is injected or recorded.
 */
export async function withFault<T>(
  lab: Lab,
  history: HistoryRecorder,
  fault: Fault,
  during: () => Promise<T>,
): Promise<T> {
  await requireSupported(lab, fault);
  // The heal is dated when it begins: what it brings back (a powered-on server's services, an
  // alert's resolution) can come before the call returns, and "resolved ≤ 15 s after the heal" or
  // "caught up ≤ 10 s after the heal" must count the repair's own time, not start after it.
  const heal = async () => {
    const began = history.now();
    await fault.heal(lab);
    const seconds = (history.now() - began) / 1000;
    history.append({
      type: "fault",
      phase: "heal",
      fault: fault.name,
      time: began,
      detail: `took ${seconds.toFixed(2)} s`,
    });
  };
  const forget = onInterrupt(heal);
  let watching: { stop(): Promise<void> } | undefined;
  try {
    history.append({
      type: "fault",
      phase: "inject",
      fault: fault.name,
      time: history.now(),
      ...(fault.effect ? { effect: fault.effect.description } : {}),
    });
    await fault.inject(lab);
    if (fault.effect) watching = watchEffect(fault.effect.watch(lab), history, fault.name);
    return await during();
  } finally {
    forget();
    await watching?.stop();
    await heal();
  }
}

/** Looks for the effect until it is seen or stopped; `stop()` looks a last time before the heal. */
function watchEffect(look: () => Promise<string | undefined>, history: HistoryRecorder, name: string) {
  let seen = false;
  let stopped = false;
  const once = async () => {
    if (seen) return;
    const evidence = await look().catch(() => undefined);
    if (evidence !== undefined && !seen) {
      seen = true;
      history.append({ type: "fault", phase: "effect", fault: name, time: history.now(), detail: evidence });
    }
  };
  const loop = (async () => {
    while (!seen && !stopped) {
      await once();
      if (!seen && !stopped) await new Promise((r) => setTimeout(r, LOOK_EVERY_MS));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await once();
    },
  };
}
