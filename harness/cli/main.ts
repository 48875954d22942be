import { parseArgs, type ParseArgsConfig } from "node:util";
import { stderrProgress, type Progress } from "../progress/progress.ts";
import { resolveSettings } from "../settings/settings.ts";
import { describe, UserError } from "../util/errors.ts";
import { downCommand } from "./commands/down.ts";
import { exploreCommand } from "./commands/explore.ts";
import { historyCommand } from "./commands/history.ts";
import { imagesCommand } from "./commands/images.ts";
import { mutantsCommand } from "./commands/mutants.ts";
import { runCommand } from "./commands/run.ts";
import { reportCommand } from "./commands/report.ts";
import { drills } from "../drills/registry.ts";
import { exploreDefaults } from "../explore/explore-options.ts";
import { statusCommand } from "./commands/status.ts";
import { upCommand } from "./commands/up.ts";
import type { CommandContext } from "./command-context.ts";

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Commands that take positional arguments say so; for the others a stray word is an error. */
  positionals?: boolean;
  run(
    values: Record<string, string | boolean | undefined>,
    ctx: CommandContext,
    positionals: string[],
  ): Promise<number>;
}

type Options = Command["options"];

/** Which lab: its profile and its provider. */
const lab = ["profile", "provider"];
/** Where the output goes: JSON only on stdout, no progress on stderr. */
const output = ["json", "quiet"];

/** A command's options: -h/--help, which every command takes, then `values` (`--rate N`) and `switches`. */
function options(values: readonly string[], switches: readonly string[]): Options {
  return {
    help: { type: "boolean", short: "h" },
    ...Object.fromEntries(values.map((name) => [name, { type: "string" } as const])),
    ...Object.fromEntries(switches.map((name) => [name, { type: "boolean" } as const])),
  };
}

const commands: Record<string, Command> = {
  up: {
    summary: "bring a lab up and leave it running",
    usage:
      "up [--profile seed|hardened] [--provider testcontainers|machines|vagrant|existing] [--json] [--quiet]\n  --profile   stack profile (default hardened)\n  --provider  where the lab runs (default FIREDRILL_PROVIDER, else testcontainers; machines: the four servers as machine containers, deployed by Ansible; existing reads FIREDRILL_INVENTORY)\n  --json      print only the lab's endpoints as JSON on stdout\n  --quiet     no progress on stderr",
    options: options(lab, output),
    run: upCommand,
  },
  status: {
    summary: "show the labs that are running",
    usage: "status [--json]\n  --json  print the labs as a JSON array on stdout",
    options: options([], ["json"]),
    run: statusCommand,
  },
  down: {
    summary: "remove every container and network labelled firedrill=1",
    usage:
      "down [--cache] [--quiet]\n  --cache  also remove the machines provider's image caches (volumes; the next machines lab loads its images again)\n  --quiet  no progress on stderr",
    options: options([], ["cache", "quiet"]),
    run: downCommand,
  },
  run: {
    summary: "run one drill (both profiles unless --profile), exit 0 only when it passed",
    usage: `run <drill> [--profile seed|hardened] [--provider testcontainers|machines|vagrant|existing] [--rate N] [--duration S] [--json] [--quiet]\n  --profile   one profile (default: FIREDRILL_PROFILES, else both)\n  --provider  where the lab runs (default FIREDRILL_PROVIDER, else testcontainers)\n  --rate      operations per second of the drill's load\n  --duration  seconds the fault lasts (capped by FIREDRILL_MAX_FAULT_SECONDS, default 300)\n  --json      print only the drill results (summary.json entries) as a JSON array on stdout\n  --quiet     no progress on stderr (warnings still)\n  drills: ${Object.keys(drills).join(", ")}\nexit codes: 0 every profile passed, 1 a profile failed, was skipped or was interrupted, 2 usage or environment error`,
    options: options([...lab, "rate", "duration"], output),
    positionals: true,
    run: (values, ctx, positionals) => runCommand(values, positionals, ctx),
  },
  report: {
    summary: "rebuild a run's HTML report from its saved artifacts (re-running the checkers)",
    usage:
      "report [<run-dir>] [--json]\n  <run-dir>  a folder under reports/ (default reports/latest)\n  --json     print the files written, their size and the time taken as JSON",
    options: options([], ["json"]),
    positionals: true,
    run: (values, ctx, positionals) => reportCommand(values, positionals, ctx),
  },
  history: {
    summary: "export a run's histories in another checker's form (Elle's list-append and rw-register EDN)",
    usage:
      "history export [<run-dir>] [--format elle] [--json]\n  <run-dir>  a folder under reports/ (default reports/latest)\n  --format   elle (default): <drill>/<profile>/elle/list-append.edn and rw-register.edn, one op a line, for Elle or elle-cli\n  --json     print the files written as JSON",
    options: options(["format"], ["json"]),
    positionals: true,
    run: (values, ctx, positionals) => historyCommand(values, positionals, ctx),
  },
  mutants: {
    summary: "plant each catalogued misconfiguration, run its drill, report the mutation score",
    usage: `mutants [<mutant>...] [--drill D] [--profile seed|hardened] [--list] [--json] [--quiet]\n  <mutant>    only these mutants (default: the whole catalogue)\n  --drill     only mutants this drill must kill, and only that drill\n  --profile   only mutants of this profile\n  --list      print the catalogue (with --json: a JSON array of id, title, layer, profile, why, drills) and start nothing\n  --json      print only the results (mutants.json: score and each mutant) on stdout\n  --quiet     no progress on stderr (warnings still)\n  each mutant runs its drill(s) on a fresh lab of the testcontainers provider, one lab at a time\n  drills: ${Object.keys(drills).join(", ")}\nexit codes: 0 every mutant was killed, 1 a mutant survived or was skipped, 2 usage or environment error`,
    options: options(["drill", "profile"], ["list", ...output]),
    positionals: true,
    run: (values, ctx, positionals) => mutantsCommand(values, positionals, ctx),
  },
  explore: {
    summary: "run seeded random fault schedules, shrink the first that fails to a minimal replayable one",
    usage: `explore [--profile seed|hardened] [--provider testcontainers|machines|vagrant|existing] [--seed N] [--schedules K] [--budget MIN] [--max-shrink-runs R] [--plan-only] [--replay FILE] [--mutant ID] [--json] [--quiet]\n  --profile          stack profile (default ${exploreDefaults.profile})\n  --provider         where the labs run (default FIREDRILL_PROVIDER, else testcontainers)\n  --seed             the run's seed, 0 to 4294967295 (default: drawn, and printed so the run can be repeated); the same seed gives the same schedules\n  --schedules        how many schedules (default ${exploreDefaults.schedules})\n  --budget           minutes for the runs and the shrinking, from the first run on (default ${exploreDefaults.budgetMinutes}); no run starts that would not end within it, judged by the longest so far\n  --max-shrink-runs  lab runs the shrinking of a failing schedule may make (default ${exploreDefaults.maxShrinkRuns}; 0: no shrinking)\n  --plan-only        print the schedules and start nothing (no Docker needed)\n  --replay           run the one schedule saved in FILE (schedule-<seed>.json, minimal-<seed>.json of a run)\n  --mutant           plant this misconfiguration of \`firedrill mutants --list\` in every lab (to see what explore finds)\n  --json             print one JSON object per schedule per line: its faults, verdict, findings and minimal schedule\n  --quiet            no progress on stderr (warnings still)\n  each schedule runs on a fresh lab; the first that fails is shrunk, each candidate on a fresh lab, and the rest are not run;\n  schedule-<seed>.json and minimal-<seed>.json are saved in the run's report folder\nexit codes: 0 every schedule passed (or --plan-only), 1 a schedule failed, was skipped or was not run, 2 usage or environment error`,
    options: options(
      [...lab, "seed", "schedules", "budget", "max-shrink-runs", "replay", "mutant"],
      ["plan-only", ...output],
    ),
    run: (values, ctx) => exploreCommand(values, ctx),
  },
  images: {
    summary: "build the lab's images, or confirm they are current",
    usage:
      "images [--prune] [--json] [--quiet]\n  --json   print each image's tag and whether it was built\n  --prune  also remove the machines provider's image caches (volumes) that no machine uses",
    options: options([], ["json", "prune", "quiet"]),
    run: imagesCommand,
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return [
    "usage: firedrill <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "Run `firedrill <command> --help` for a command's options.",
    "Exit codes: 0 success (for `run`: every drill passed), 1 a drill or check failed,",
    "2 usage or environment error (one line on stderr says what to do).",
    "Progress goes to stderr: a live status line on a terminal, plain lines otherwise",
    "(CI, pipes, FIREDRILL_PLAIN_PROGRESS=1); --quiet keeps only warnings.",
  ].join("\n");
}

/** Returns the exit code; never throws (a UserError becomes one line on stderr). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`firedrill: unknown command "${name}"; run \`firedrill --help\` for the list\n`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: rest,
      options: command.options,
      strict: true,
      allowPositionals: Boolean(command.positionals),
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
    positionals = parsed.positionals;
  } catch (err) {
    // node's parser explains over several lines; the CLI promises one.
    const oneLine = describe(err).replace(/\s*\n\s*/g, " ");
    process.stderr.write(`firedrill ${name}: ${oneLine}; run \`firedrill ${name} --help\`\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`usage: firedrill ${command.usage}\n`);
    return 0;
  }
  let progress: Progress | undefined;
  try {
    const settings = resolveSettings(env);
    progress = stderrProgress({ quiet: Boolean(values.quiet), live: !settings.plainProgress });
    return await command.run(values, { settings, progress, env }, positionals);
  } catch (err) {
    // The live status line ends before the error is printed under it.
    progress?.close?.();
    if (err instanceof UserError) {
      process.stderr.write(`firedrill ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(
      `firedrill ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  } finally {
    progress?.close?.();
  }
}
