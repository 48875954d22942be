import type { LabEndpoints } from "../../lab/lab.ts";
import type { Progress } from "../../progress/progress.ts";
import { waitUntil } from "../../util/wait-until.ts";

export async function waitThroughHaproxy(endpoints: LabEndpoints, progress: Progress): Promise<void> {
  // HAProxy marks servers up only after `rise` checks; the lab is not up until it routes.
  await waitUntil(
    "HAProxy routes to the app",
    async () => {
      const res = await fetch(`${endpoints.haproxy.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HAProxy answered ${res.status}`);
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  progress.detail("HAProxy routes to the app");
}
