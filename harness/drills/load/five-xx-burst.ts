import { expectAlert } from "../../alerts/expect-alert.ts";
import { requireSupported } from "../../faults/lab-target.ts";
import { freezeServices } from "../../faults/kinds/freeze-services.ts";
import { withFault } from "../../faults/with-fault.ts";
import type { DrillContext } from "../context.ts";
import { ALERT_BUDGET as B } from "../steps/alerts.ts";
import { checkAlerts } from "../steps/check-alerts.ts";
import { phaseUnderLoad } from "../steps/load.ts";
import { steadyAfter } from "../steps/steady-state.ts";

/**
 * Both apps frozen for 8 s under 50 ops/s: HAProxy has no server and answers 5xx; the alert must
 * fire, notify and resolve, and the stack must serve again afterwards.
 */
export async function fiveXxBurst(ctx: DrillContext) {
  ctx.progress.detail("5xx burst: both apps frozen for 8 s under 50 ops/s");
  const freeze = freezeServices(["node1-app", "node2-app"]);
  // A fault this lab cannot inject is reported skipped before any load is sent.
  await requireSupported(ctx.lab, freeze);
  const seconds = ctx.settings.overrides.faultSeconds ?? 8;
  const load = await phaseUnderLoad(
    ctx,
    {
      description: `${freeze.name} at 2 s for ${seconds} s`,
      seconds,
      run: () =>
        withFault(ctx.lab, ctx.history, freeze, () => new Promise((r) => setTimeout(r, seconds * 1000))),
    },
    { rate: ctx.settings.overrides.rate ?? 50, beforeSeconds: 2, afterSeconds: 6, observeConvergence: false },
  );
  await ctx.states.sync();
  const steady = steadyAfter(ctx, load.quietTime - 3000, load.rate);
  const alerts = await checkAlerts(
    ctx,
    [
      expectAlert("HighHTTP5xxRate")
        .firesWithin(B.fires)
        .notifiedWithin(B.notified)
        .resolvesWithin(B.resolves),
    ],
    {
      // Frozen apps cannot be scraped nor pass HAProxy's checks: these fire too, by design.
      allow: [
        { name: "AppInstanceDown" },
        { name: "HAProxyServerDown" },
        { name: "HAProxyRunningOnBackup" },
        { name: "HAProxyNoServerAvailable" },
      ],
    },
  );
  return { alerts, steadyAfter: steady };
}
