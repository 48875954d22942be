import { ensureEngine } from "../../engine/engine-bootstrap.ts";
import { LabStateStore } from "../../lab/lab-state.ts";
import { LABEL_FIREDRILL } from "../../lab/labels.ts";
import { removeLabeled } from "../../lab/reaper.ts";
import type { CommandContext } from "../command-context.ts";

export async function downCommand(
  _values: Record<string, unknown>,
  { settings, progress }: CommandContext,
): Promise<number> {
  await ensureEngine(progress, settings.dockerdLog);
  const removed = await removeLabeled([`${LABEL_FIREDRILL}=1`], progress);
  const store = new LabStateStore(settings.stateDir);
  for (const lab of store.list()) store.remove(lab.runId);
  progress.step(`removed ${removed.containers} containers and ${removed.networks} networks`);
  return 0;
}
