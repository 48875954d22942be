import type { HistoryRecorder } from "../history/history-file.ts";
import type { Lab } from "../lab/lab.ts";
import { onInterrupt } from "../lab/signal-cleanup.ts";
import type { Fault } from "./fault.ts";

/**
 * Injects `fault`, runs `during`, and heals in `finally` — also on failure and on Ctrl-C. Both
 * moments go into the history with their times.
 */
export async function withFault<T>(
  lab: Lab,
  history: HistoryRecorder,
  fault: Fault,
  during: () => Promise<T>,
): Promise<T> {
  const heal = async () => {
    await fault.heal(lab);
    history.fault("heal", fault.name);
  };
  const forget = onInterrupt(heal);
  try {
    history.fault("inject", fault.name);
    await fault.inject(lab);
    return await during();
  } finally {
    forget();
    await heal();
  }
}
