import { parseProfile } from "../../config/profiles.ts";
import { LabStateStore } from "../../lab/lab-state.ts";
import { startLab } from "../../providers/start-lab.ts";
import { UserError } from "../../util/errors.ts";
import { withProvider } from "../../settings/settings.ts";
import type { CommandContext } from "../command-context.ts";

export async function upCommand(
  values: Record<string, unknown>,
  { settings, progress }: CommandContext,
): Promise<number> {
  let profile;
  try {
    profile = parseProfile(String(values.profile ?? "hardened"));
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const lab = await startLab({ profile, settings: withProvider(settings, values.provider), progress });
  // Recorded so `status` can show it and the reaper knows it was left running on purpose.
  new LabStateStore(settings.stateDir).save(lab.endpoints);
  progress.close?.();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(lab.endpoints, null, 2)}\n`);
  } else {
    const e = lab.endpoints;
    process.stdout.write(
      [
        `lab ${e.runId} (${e.profile}) is up`,
        `  haproxy       ${e.haproxy.url}   stats ${e.haproxy.statsUrl} (user ${e.haproxy.statsUser})`,
        `  prometheus    ${e.prometheus.url}`,
        `  alertmanager  ${e.alertmanager.url}`,
        ...(["node1", "node2"] as const).map(
          (n) => `  ${n}         app ${e.nodes[n].app.url}   db 127.0.0.1:${e.nodes[n].db.port}`,
        ),
        "credentials: `firedrill status --json`; remove it with `firedrill down`",
        "",
      ].join("\n"),
    );
  }
  return 0;
}
