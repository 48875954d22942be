import type { Verdict } from "./verdict.ts";

export interface NodeState {
  gtidCurrentPos: string;
  /** CHECKSUM TABLE per table; null when the table could not be read. */
  checksums: Record<string, number | null>;
}

export interface ConvergenceSample {
  /** Milliseconds on the history's clock. */
  time: number;
  node1: NodeState | undefined;
  node2: NodeState | undefined;
}

export function sameData(a: NodeState | undefined, b: NodeState | undefined): boolean {
  if (!a || !b) return false;
  const tables = new Set([...Object.keys(a.checksums), ...Object.keys(b.checksums)]);
  return [...tables].every(
    (t) => a.checksums[t] !== null && a.checksums[t] !== undefined && a.checksums[t] === b.checksums[t],
  );
}

/**
 * Both databases hold the same data (CHECKSUM TABLE) within `boundSeconds` of `since` — the later of
 * the heal and the last write, since replicas under steady writes are never equal at an instant;
 * the time it took is the figure. GTID positions are reported beside it (with file-and-position replication
 * and no log_slave_updates they legitimately differ, so they do not decide).
 */
export function checkConvergence(
  samples: readonly ConvergenceSample[],
  since: number,
  boundSeconds: number,
): Verdict {
  const first = samples.find((s) => s.time >= since && sameData(s.node1, s.node2));
  const last = samples.at(-1);
  const seconds = first ? Math.max(0, (first.time - since) / 1000) : null;
  const gtidEqual =
    last?.node1 && last.node2 ? Number(last.node1.gtidCurrentPos === last.node2.gtidCurrentPos) : null;
  if (!first) {
    const diff =
      last?.node1 && last.node2
        ? Object.keys(last.node1.checksums).filter(
            (t) => last.node1!.checksums[t] !== last.node2!.checksums[t],
          )
        : ["(a node could not be read)"];
    return {
      checker: "convergence",
      valid: false,
      findings: [
        {
          kind: "diverged",
          message: `the replicas still differ after the heal and the last write: ${diff.join(", ")}`,
          evidence: last,
        },
      ],
      figures: { secondsToConverge: null, gtidEqual },
    };
  }
  const late = seconds !== null && seconds > boundSeconds;
  return {
    checker: "convergence",
    valid: !late,
    findings: late
      ? [
          {
            kind: "slow-convergence",
            message: `converged ${seconds!.toFixed(1)} s after the heal and the last write, over the bound of ${boundSeconds} s`,
          },
        ]
      : [],
    figures: { secondsToConverge: seconds, gtidEqual },
  };
}
