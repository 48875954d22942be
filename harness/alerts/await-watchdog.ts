import type { Progress } from "../progress/progress.ts";
import { ReceiverClient, type Delivery } from "../probes/receiver-client.ts";
import { describe } from "../util/errors.ts";
import { notificationOf } from "./alert-watcher.ts";
import { isWatchdogNote, WATCHDOG } from "./pipeline-alive.ts";

/** Whether a delivery carries the Watchdog firing: the pipeline-liveness rule, on the receiver's record. */
export function isWatchdogDelivery(d: Delivery): boolean {
  return isWatchdogNote(notificationOf(d, 0));
}

/**
 * Waits, bounded, until the receiver has had its first Watchdog notification. Prometheus evaluates
 * its first rule group up to one evaluation interval after it starts (15 s in the seed, as the
 * original): a drill started on a lab just up would otherwise open its steady-state window before the
 * pipeline had spoken at all, and fail it for a silence that is only the first evaluation's delay.
 * After the first notification Alertmanager repeats it every 5 s, which the window allows for.
 * Never throws: a pipeline that stays silent (a dead webhook) is the steady state's to judge.
 */
export async function awaitFirstWatchdog(
  receiverUrl: string,
  o: { progress: Progress; timeoutMs?: number },
): Promise<{ seconds: number; arrived: boolean }> {
  const receiver = new ReceiverClient(receiverUrl);
  const t0 = performance.now();
  const deadline = t0 + (o.timeoutMs ?? 30_000);
  let lastError = "";
  for (;;) {
    const arrived = await receiver.deliveries().then(
      (ds) => ds.some(isWatchdogDelivery),
      (err: unknown) => ((lastError = describe(err)), false),
    );
    const seconds = (performance.now() - t0) / 1000;
    if (arrived) return { seconds, arrived };
    if (performance.now() >= deadline) {
      o.progress.detail(
        `no ${WATCHDOG} notification at the receiver after ${seconds.toFixed(0)} s${lastError ? ` (${lastError})` : ""}: the steady state will judge the alert pipeline`,
      );
      return { seconds, arrived };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
