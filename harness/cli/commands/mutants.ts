import path from "node:path";
import { prepareEngineAndImages } from "../../providers/start-lab.ts";
import { newRunId } from "../../lab/run-id.ts";
import { catalogue, selectMutants } from "../../mutants/catalogue.ts";
import { showKill, type Mutant } from "../../mutants/mutant.ts";
import { type Mutation } from "../../config/mutation.ts";
import { refuseMutation } from "../../lab/lab.ts";
import { plant } from "../../mutants/plant.ts";
import { formatScore, type MutantsReport } from "../../store/mutants-file.ts";
import { runMutants, statusText } from "../../mutants/run-mutants.ts";
import { drillSettings } from "../../drills/context.ts";
import { closeRun } from "../../report/close-run.ts";
import { openRun } from "../../store/run-store.ts";
import { describe, UserError } from "../../util/errors.ts";
import type { CommandContext } from "../command-context.ts";

/** What `--list --json` prints for one mutant (no function): each drill with the expectation ids it must break. */
export function listEntry(m: Mutant) {
  return {
    id: m.id,
    title: m.title,
    layer: m.layer,
    profile: m.profile,
    why: m.why,
    drills: m.drills.map((d) => ({ drill: d.drill, breaks: [...d.breaks] })),
  };
}

/**
 * `firedrill mutants [<mutant>…] [--drill D] [--profile P] [--list] [--json] [--quiet]`. Exit 0 when
 * every selected mutant was killed, 1 when one survived or was skipped, 2 on usage or environment errors.
 */
export async function mutantsCommand(
  values: Record<string, unknown>,
  positionals: string[],
  { settings, progress, env }: CommandContext,
): Promise<number> {
  const selected = selectMutants({
    ids: positionals,
    drill: values.drill === undefined ? undefined : String(values.drill),
    profile: values.profile === undefined ? undefined : String(values.profile),
  });
  if (values.list) {
    process.stdout.write(
      values.json ? `${JSON.stringify(selected.map(listEntry), null, 2)}\n` : formatList(selected),
    );
    return 0;
  }
  // Only the testcontainers provider builds the lab itself, so only it can plant a mutation.
  if (settings.provider !== "testcontainers") refuseMutation(settings.provider);
  // Every anchor is checked before the first lab starts: a stale mutant is a usage error, not a
  // result an hour later.
  const mutations = new Map<string, Mutation>();
  for (const m of selected) {
    try {
      mutations.set(m.id, plant(m, settings.clusterDir).mutation);
    } catch (err) {
      throw new UserError(`mutant ${m.id} cannot be planted: ${describe(err)}`);
    }
  }
  await prepareEngineAndImages(settings, progress);
  const run = openRun({ reportsDir: settings.reportsDir, runId: newRunId() });
  const runDir = run.dir;
  progress.step(
    `${selected.length} mutant(s), ${selected.reduce((n, m) => n + m.drills.length, 0)} drill run(s), one lab at a time; results in ${path.relative(process.cwd(), runDir)}`,
  );
  const report = await runMutants(selected, {
    run,
    settings: drillSettings(settings, env),
    progress,
    mutations,
  });
  closeRun(run, (m) => progress.warn(m));
  progress.close?.();
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, runDir));
  return report.mutants.every((m) => m.status === "killed") ? 0 : 1;
}

function formatList(mutants: readonly Mutant[]): string {
  const lines = mutants.flatMap((m) => [
    `${m.id} (${m.profile}, ${m.layer}): ${m.title}`,
    ...m.drills.map((d) => `  ${d.drill} must break ${showKill(d)}`),
    ...(m.awaits ? [`  awaits ${m.awaits}`] : []),
  ]);
  return `${lines.join("\n")}\n${mutants.length} of ${catalogue.length} mutants\n`;
}

/** One line per mutant with its status, time and the expectation that killed it; then the score. */
export function formatReport(r: MutantsReport, runDir: string): string {
  const lines = r.mutants.map(
    (m) =>
      `${m.id} (${m.profile}): ${statusText(m)}, ${m.seconds} s${m.killedBy ? `\n  ${m.killedBy}` : ""}${m.reason ? `\n  ${m.reason}` : ""}${m.status === "survived" && m.awaits ? `\n  awaits ${m.awaits}` : ""}`,
  );
  return [
    ...lines,
    `mutation score: ${formatScore(r)}${r.skipped ? `, ${r.skipped} skipped` : ""}`,
    `report: ${path.relative(process.cwd(), runDir)}/mutants.json`,
    "",
  ].join("\n");
}
