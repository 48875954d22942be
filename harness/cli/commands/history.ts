import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { toElle } from "../../history/elle-export.ts";
import { NotARunFolderError, readRunFolder } from "../../store/run-folder.ts";
import { UserError } from "../../util/errors.ts";
import type { CommandContext } from "../command-context.ts";

const FORMATS = ["elle"];

/**
 * Writes each drill's history of a run in another checker's form, next to it: for Elle,
 * `<drill>/<profile>/elle/list-append.edn` and `rw-register.edn` (elle-cli's list-append and
 * rw-register workloads). Exit 0 when written, 2 for a folder that is not a run or an unknown format.
 */
export async function historyCommand(
  values: Record<string, unknown>,
  positionals: string[],
  { settings }: CommandContext,
): Promise<number> {
  const [sub, ...rest] = positionals;
  if (sub !== "export")
    throw new UserError(
      `${sub ? `unknown subcommand "${sub}"` : "name a subcommand"}: \`firedrill history export [<run-dir>] --format elle\``,
    );
  positionals = rest;
  if (positionals.length > 1)
    throw new UserError("name one run folder: `firedrill history export [<run-dir>] --format elle`");
  const format = (values.format as string | undefined) ?? "elle";
  if (!FORMATS.includes(format))
    throw new UserError(`unknown format "${format}"; the formats are: ${FORMATS.join(", ")}`);
  const runDir = path.resolve(positionals[0] ?? path.join(settings.reportsDir, "latest"));
  let run;
  try {
    run = readRunFolder(runDir);
  } catch (err) {
    if (err instanceof NotARunFolderError) throw new UserError(err.message);
    throw err;
  }
  const written: { drill: string; listAppend: string; rwRegister: string; ops: number; unkeyed: number }[] =
    [];
  for (const d of run.drills) {
    if (!d.history) continue;
    const elle = toElle(d.history);
    const dir = path.join(runDir, d.dir, "elle");
    mkdirSync(dir, { recursive: true });
    const listAppend = path.join(dir, "list-append.edn");
    const rwRegister = path.join(dir, "rw-register.edn");
    writeFileSync(listAppend, elle.listAppend);
    writeFileSync(rwRegister, elle.rwRegister);
    written.push({
      drill: d.dir,
      listAppend,
      rwRegister,
      ops: elle.counts.listAppend + elle.counts.rwRegister,
      unkeyed: elle.counts.unkeyed,
    });
  }
  if (written.length === 0) throw new UserError(`no drill of ${runDir} has a history.jsonl to export`);
  const rel = (f: string) => path.relative(process.cwd(), f) || f;
  process.stdout.write(
    values.json
      ? `${JSON.stringify(written)}\n`
      : written
          .map(
            (w) =>
              `${w.drill}: ${rel(w.listAppend)}, ${rel(w.rwRegister)} (${w.ops} op lines${w.unkeyed ? `; ${w.unkeyed} add(s) left out of rw-register: their item id was never learnt` : ""})`,
          )
          .join("\n") + "\n",
  );
  return 0;
}
