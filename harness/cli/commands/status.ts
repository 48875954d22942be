import { dockerClient } from "../../engine/docker-client.ts";
import { engineAnswers } from "../../engine/docker-client.ts";
import { LabStateStore } from "../../lab/lab-state.ts";
import { LABEL_FIREDRILL, LABEL_PROFILE, LABEL_ROLE, LABEL_RUN } from "../../lab/labels.ts";
import { UserError } from "../../util/errors.ts";
import type { CommandContext } from "../command-context.ts";

interface RunStatus {
  runId: string;
  profile: string;
  containers: { role: string; state: string; status: string }[];
  endpoints?: unknown;
}

export async function statusCommand(
  values: Record<string, unknown>,
  { settings }: CommandContext,
): Promise<number> {
  // status only looks: it never installs or starts an engine.
  if (!(await engineAnswers()))
    throw new UserError(
      "no Docker engine answers; nothing can be running (start one, or run `firedrill up`)",
    );
  const containers = await dockerClient().listContainers({
    all: true,
    filters: JSON.stringify({ label: [`${LABEL_FIREDRILL}=1`] }),
  });
  const recorded = new Map(new LabStateStore(settings.stateDir).list().map((e) => [e.runId, e]));
  const runs = new Map<string, RunStatus>();
  for (const c of containers) {
    const runId = c.Labels[LABEL_RUN] ?? "?";
    const run = runs.get(runId) ?? {
      runId,
      profile: c.Labels[LABEL_PROFILE] ?? "?",
      containers: [],
      endpoints: recorded.get(runId),
    };
    run.containers.push({ role: c.Labels[LABEL_ROLE] ?? "?", state: c.State, status: c.Status });
    runs.set(runId, run);
  }
  const list = [...runs.values()].sort((a, b) => a.runId.localeCompare(b.runId));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (list.length === 0) process.stdout.write("no lab is running\n");
  for (const run of list) {
    process.stdout.write(
      `lab ${run.runId} (${run.profile})${run.endpoints ? "" : " — not recorded by `up` (owned by a running test or drill)"}\n`,
    );
    for (const c of run.containers.sort((a, b) => a.role.localeCompare(b.role))) {
      process.stdout.write(`  ${c.role.padEnd(16)} ${c.state.padEnd(10)} ${c.status}\n`);
    }
  }
  return 0;
}
