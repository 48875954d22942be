import { findKind } from "../faults/fault-kinds.ts";
import type {
  ExploredMinimal,
  ExploredSchedule,
  ExploreReport,
  ReportedFault,
  TriedShrink,
} from "../store/explore-file.ts";

// How the Exploration section words a run, the same in the page and in summary.md.

export type Verdict = ExploredSchedule["verdict"];

/** How each verdict reads, and which badge colour it wears. */
export const VERDICT: Record<Verdict, { text: string; badge: string; icon: string }> = {
  pass: { text: "pass", badge: "pass", icon: "✅" },
  fail: { text: "fail", badge: "fail", icon: "❌" },
  skipped: { text: "skipped", badge: "skipped", icon: "⏭️" },
  interrupted: { text: "interrupted", badge: "interrupted", icon: "⚠️" },
  "not-run": { text: "not run", badge: "not-run", icon: "⏹️" },
};

/** Which step of the shrinker proposed a candidate, in words. */
export const STEP: Record<TriedShrink["step"], string> = {
  input: "the failing schedule",
  "drop-faults": "drop faults",
  shorten: "shorten a fault",
  "move-later": "move a fault later",
};

/** "crash node1": its kind's words, or the kind and target as recorded for a kind this firedrill lacks. */
export function faultLabel(f: ReportedFault): string {
  const kind = findKind(f.kind);
  if (kind) {
    try {
      return kind.name(f.target, f.params);
    } catch {
      // A kind whose target or parameters changed since: said as recorded, below.
    }
  }
  return `${f.kind}${f.target === null ? "" : ` ${f.target}`}`;
}

/** "crash node1 at 4 s for 10 s", as schedule.ts `describeFault` words it. */
export const faultWords = (f: ReportedFault) =>
  `${faultLabel(f)} at ${f.startSeconds} s for ${f.durationSeconds} s`;

export const scheduleWords = (faults: readonly ReportedFault[]) =>
  faults.length ? faults.map(faultWords).join("; ") : "no fault";

function source(r: ExploreReport): string {
  if (r.runSeed !== undefined) return `--seed ${r.runSeed}`;
  if (r.replay !== undefined) return `--replay ${r.replay}`;
  return "schedules";
}

export function headline(r: ExploreReport): string {
  const count = (v: Verdict) => r.schedules.filter((s) => s.verdict === v).length;
  const extra = (["skipped", "interrupted"] as const)
    .filter((v) => count(v) > 0)
    .map((v) => `, ${count(v)} ${VERDICT[v].text}`)
    .join("");
  const mutant = r.mutant ? `, mutant ${r.mutant} planted` : "";
  const stoppedAt = r.complete
    ? ""
    : ` The run stopped after ${r.schedules.length} of ${r.planned} schedules.`;
  const budget = r.budgetSpent
    ? ` The budget of ${r.budgetMinutes} min was spent before the exploration was done.`
    : "";
  return (
    `Explored ${source(r)} on ${r.profile}${mutant}: ${r.planned} schedule(s), ${count("pass")} passed, ` +
    `${count("fail")} failed, ${count("not-run")} not run${extra}.${stoppedAt}${budget}`
  );
}

/** How to run the minimal schedule again. */
export function replayCommand(r: ExploreReport): string {
  return `firedrill explore --profile ${r.profile}${r.mutant ? ` --mutant ${r.mutant}` : ""} --replay`;
}

export function shrinkNote(m: ExploredMinimal): string {
  return `Shrunk in ${m.runs} lab run(s)${m.stopped ? `; stopped: ${m.stopped}` : ""}.`;
}
