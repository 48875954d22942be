import { z } from "zod";
import { defineChecker } from "../checker.ts";
import {
  operations,
  type AddItemValue,
  type CreateListValue,
  type HistoryEvent,
} from "../../history/history.ts";
import type { Finding, CheckResult } from "../../store/check-result.ts";
import { sameData, type ConvergenceSample } from "../../store/convergence-samples.ts";

export const ConvergenceOptions = z.object({
  /** History ms of the heal: convergence is timed from here, as the drills state it. */
  healAt: z.number(),
  /** History ms of the last write (end of load): from here on the whole tables must become equal. */
  quietAt: z.number(),
  boundSeconds: z.number(),
  /**
   * A write acknowledged this long before a sample must already be on both nodes for that sample to
   * count as caught up: healthy replication carries a row in milliseconds, so 1 s is slack.
   */
  graceMs: z.number().optional(),
  /** Consecutive samples a state must hold, so a brief equality that breaks again is not convergence. */
  settleSamples: z.number().optional(),
  /**
   * History ms of the operator's repair (replica IO threads restarted) the drill made when the
   * replicas had not caught up within the bound: a catch-up after it was helped, and is said so.
   */
  repairAt: z.number().optional(),
});
export type ConvergenceOptions = z.infer<typeof ConvergenceOptions>;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

interface Ack {
  kind: "list" | "item";
  id: number;
  at: number;
}

function acknowledged(history: readonly HistoryEvent[]): Ack[] {
  const acks: Ack[] = [];
  for (const { invoke, completion } of operations(history)) {
    if (completion?.type !== "ok") continue;
    if (invoke.op === "create-list")
      acks.push({ kind: "list", id: (completion.value as CreateListValue).id!, at: completion.time });
    else if (invoke.op === "add-item")
      acks.push({ kind: "item", id: (completion.value as AddItemValue).id!, at: completion.time });
  }
  return acks.sort((a, b) => a.at - b.at);
}

/** What a sample's nodes lack of the writes acknowledged up to `until`; undefined when a node is unreadable. */
function missingAt(s: ConvergenceSample, acks: readonly Ack[], until: number): string[] | undefined {
  const nodes = [
    ["node1", s.node1],
    ["node2", s.node2],
  ] as const;
  if (nodes.some(([, n]) => !n?.rows)) return undefined;
  const missing: string[] = [];
  for (const [name, n] of nodes) {
    const lists = new Set(n!.rows!.lists);
    const items = new Set(n!.rows!.items);
    for (const a of acks) {
      if (a.at > until) break;
      if (!(a.kind === "list" ? lists : items).has(a.id))
        missing.push(`${name} lacks ${a.kind} ${a.id} (acknowledged at ${(a.at / 1000).toFixed(2)} s)`);
    }
  }
  return missing;
}

/**
 * The first sample from which `holds` stays true to the last sample, provided that is at least
 * `settle` samples: converged means it stayed so, not that it was so for a moment (a replica that
 * caught up before the first write after the heal, then stopped receiving, has not converged).
 */
function holdsFromThenOn(
  samples: readonly ConvergenceSample[],
  holds: (s: ConvergenceSample) => boolean,
  settle: number,
): ConvergenceSample | undefined {
  let from = samples.length;
  while (from > 0 && holds(samples[from - 1]!)) from--;
  return samples.length - from >= settle ? samples[from] : undefined;
}

/**
 * The replicas converge: from some moment after the heal on, every write acknowledged (a grace
 * earlier) is on both nodes — timed from the heal even while writes go on — and once writes stop,
 * the whole tables are equal (CHECKSUM TABLE); each must hold to the end of the observation, over
 * at least `settleSamples` samples. A node that cannot be read is
 * said so ("unreadable"), never taken for a divergence. GTID positions are reported beside it: with
 * file-and-position replication they legitimately differ, so they do not decide.
 */
export function checkConvergence(
  history: readonly HistoryEvent[],
  samples: readonly ConvergenceSample[],
  o: ConvergenceOptions,
): CheckResult {
  const grace = o.graceMs ?? 1000;
  const settle = o.settleSamples ?? 3;
  const acks = acknowledged(history);
  const fromHeal = samples.filter((s) => s.time >= o.healAt);
  const caughtUp = holdsFromThenOn(fromHeal, (s) => missingAt(s, acks, s.time - grace)?.length === 0, settle);
  const equal = holdsFromThenOn(
    fromHeal.filter((s) => s.time >= o.quietAt),
    (s) => sameData(s.node1, s.node2),
    settle,
  );
  const last = samples.at(-1);
  const seconds = caughtUp ? round3(Math.max(0, (caughtUp.time - o.healAt) / 1000)) : null;
  const gtidEqual =
    last?.node1 && last.node2 ? Number(last.node1.gtidCurrentPos === last.node2.gtidCurrentPos) : null;
  const figures = {
    secondsToConverge: seconds,
    secondsToEqualAfterQuiet: equal ? round3(Math.max(0, (equal.time - o.quietAt) / 1000)) : null,
    samples: samples.length,
    gtidEqual,
  };
  const findings: Finding[] = [];
  const unreadable = last ? (["node1", "node2"] as const).filter((n) => !last[n]) : ["node1", "node2"];
  if (unreadable.length > 0) {
    findings.push({
      kind: "unreadable",
      message: `${unreadable.join(" and ")} could not be read at the end of the observation: convergence cannot be judged`,
    });
    return { checker: "convergence", valid: "unknown", findings, figures };
  }
  if (!caughtUp) {
    const missing = missingAt(last!, acks, last!.time - grace) ?? [];
    findings.push({
      kind: "diverged",
      message: `the replicas never caught up after the heal: ${missing.slice(0, 3).join("; ") || "a node could not be read"}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ""}`,
      evidence: { missing: missing.slice(0, 20), at: last!.time },
    });
  }
  if (!equal) {
    const diff = Object.keys(last!.node1!.checksums).filter(
      (t) => last!.node1!.checksums[t] !== last!.node2!.checksums[t],
    );
    findings.push({
      kind: "diverged",
      message: `the replicas still differ after the last write: ${diff.join(", ") || "checksums could not be compared"}`,
      evidence: last,
    });
  }
  const helped = o.repairAt !== undefined && caughtUp !== undefined && caughtUp.time >= o.repairAt;
  if (helped)
    findings.push({
      kind: "slow-convergence",
      message: `not caught up within the bound of ${o.boundSeconds} s after the heal; caught up ${seconds!.toFixed(1)} s after it only once the operator restarted the replicas' IO threads (at ${((o.repairAt! - o.healAt) / 1000).toFixed(1)} s)`,
    });
  else if (seconds !== null && seconds > o.boundSeconds)
    findings.push({
      kind: "slow-convergence",
      message: `caught up ${seconds.toFixed(1)} s after the heal, over the bound of ${o.boundSeconds} s`,
    });
  return { checker: "convergence", valid: findings.length === 0, findings, figures };
}

export default defineChecker({
  id: "convergence",
  description:
    "the replicas catch up after the heal (every acknowledged write on both nodes, timed from the heal) and end equal once writes stop (CHECKSUM TABLE), within the bound",
  options: ConvergenceOptions,
  needs: ["samples"],
  figures: ["secondsToConverge", "secondsToEqualAfterQuiet", "samples", "gtidEqual"],
  keyFigures: ["secondsToConverge", "secondsToEqualAfterQuiet"],
  check: (input, options) => checkConvergence(input.history, input.samples, options),
});
