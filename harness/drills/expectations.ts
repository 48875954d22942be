import type { CheckResult } from "../store/check-result.ts";
import type { Expectation } from "../store/drill-result.ts";
import type { Evidence, ExpectationSpec } from "./spec.ts";
import { ANOMALIES, type AnomalyKind } from "../checkers/consistency/anomalies.ts";
import { modelVerdict, type Model } from "../checkers/consistency/models.ts";
import { consistencyLine, consistencySummary } from "../checkers/kinds/consistency.ts";

/** An expectation judged in code: its id, words, whether it was met and the evidence in one line. */
export function expectation(id: string, description: string, met: boolean, detail?: string): Expectation {
  return { id, description, met, ...(detail ? { detail } : {}) };
}

/** Seconds for an expectation's detail: "1.23 s", or "–" when there is no figure. */
export function fmtSeconds(s: number | null | undefined): string {
  return s === null || s === undefined ? "–" : `${Math.round(s * 100) / 100} s`;
}

/**
 * Met when the checker's result is valid; the detail quotes its first findings when it is not, and
 * the kinds of its findings are the parts that failed (a mutant may name one: `steady-state-before#not-on-primary`).
 */
export function resultHolds(id: string, description: string, result: CheckResult | undefined): Expectation {
  const findings = result?.findings ?? [{ kind: "not-run", message: "the checker did not run" }];
  const met = result?.valid === true;
  return {
    ...expectation(
      id,
      description,
      met,
      findings
        .map((f) => f.message)
        .slice(0, 5)
        .join("; "),
    ),
    ...(met ? {} : { failed: [...new Set(findings.map((f) => f.kind))] }),
  };
}

/** Declared: a checker (by its name in the drill) must find nothing. */
export function holds(id: string, description: string, checker: string): ExpectationSpec<unknown> {
  return {
    id,
    description,
    judge: (e) => {
      const r = resultHolds(id, description, e.results.get(checker));
      return {
        met: r.met,
        ...(r.detail ? { detail: r.detail } : {}),
        ...(r.failed ? { failed: r.failed } : {}),
      };
    },
  };
}

/** Declared: met as `judge` says, from the evidence. */
export function expect<Facts>(
  id: string,
  description: ExpectationSpec<Facts>["description"],
  judge: ExpectationSpec<Facts>["judge"],
): ExpectationSpec<Facts> {
  return { id, description, judge };
}

/** Every declared expectation judged on the evidence, in order; one that throws is unmet, with the reason. */
export function judgeExpectations<Facts>(
  specs: readonly ExpectationSpec<Facts>[],
  e: Evidence<Facts>,
): Expectation[] {
  return specs.map((s) => {
    let description = typeof s.description === "string" ? s.description : s.id;
    try {
      if (typeof s.description === "function") description = s.description(e);
      const r = s.judge(e);
      return {
        id: s.id,
        description,
        met: r.met,
        ...(r.detail ? { detail: r.detail } : {}),
        ...(r.failed?.length ? { failed: r.failed } : {}),
      };
    } catch (err) {
      return { id: s.id, description, met: false, detail: `could not be judged: ${(err as Error).message}` };
    }
  });
}

/**
 * What every drill whose fault ran under load expects in both profiles: the steady state before, the
 * fault's effect, nothing acknowledged lost, and the steady state again after the heal.
 */
export function faultExpectations(effect: string): ExpectationSpec<unknown>[] {
  return [
    holds("steady-state-before", "steady state before the fault", "steady-state-before"),
    holds("fault-effect", effect, "fault-effect"),
    holds("no-write-lost", "no acknowledged write lost", "durability"),
    holds("steady-state-after", "steady state restored after the heal", "steady-state-after"),
  ];
}

/**
 * Whether a mutant's reference names this expectation: its id (`*` stands for any run of
 * characters), and after `#` one of the parts that failed (`alert:ServerDown{server="node1"}#fires`).
 */
export function refersTo(ref: string, e: Expectation): boolean {
  const [idPattern = "", part] = ref.split("#");
  const re = new RegExp(`^${idPattern.split("*").map(escapeRegExp).join(".*")}$`);
  if (e.id === undefined || !re.test(e.id)) return false;
  return part === undefined || (e.failed ?? []).includes(part);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * What the hardened stack shows once the fault healed: no stale read (the read-back included), the
 * replicas caught up within the bound and equal after the last write, replication healthy.
 */
export function recoveryExpectations(convergenceBoundSeconds: number): ExpectationSpec<unknown>[] {
  return [
    holds("no-stale-read", "no stale read (the read-back of every item included)", "stale-reads"),
    holds(
      "converged",
      `replicas caught up ≤ ${convergenceBoundSeconds} s after heal and equal after the last write`,
      "convergence",
    ),
    holds("replication-healthy", "replication healthy after heal", "replication-health"),
  ];
}

/**
 * Declared: the checker reported what the drill came to catch (a finding of `kind`), as the seed's
 * weaknesses and split-brain's divergence are expected; the detail quotes its findings, or `otherwise`.
 */
export function reports(
  id: string,
  description: string,
  checker: string,
  kind: string,
  otherwise: (e: Evidence<unknown>) => string,
): ExpectationSpec<unknown> {
  return expect(id, description, (e) => {
    const r = e.results.of(checker);
    return {
      met: r.findings.some((f) => f.kind === kind),
      detail: r.findings.map((f) => f.message).join("; ") || otherwise(e),
    };
  });
}

/**
 * Declared: the history is consistent with every model of `models` (the consistency checker rules
 * none of them out). The parts that failed are the anomaly kinds that ruled one out, so a mutant
 * names what it must show: `models#monotonic-reads`, `models#lost-update`.
 */
export function satisfies(models: readonly Model[], why?: string): ExpectationSpec<unknown> {
  const description = `consistent with ${models.join(", ")}${why ? ` (${why})` : ""}`;
  return expect("models", description, (e) => {
    const r = e.results.of("consistency");
    const summary = consistencySummary(r);
    if (!summary) return { met: false, detail: "the consistency checker judged no model" };
    const broken = models.filter((m) => summary.ruledOut.includes(m));
    const failed = Object.keys(summary.anomalies).filter((k) =>
      modelVerdict(ANOMALIES[k as AnomalyKind].rulesOut).ruledOut.some((m) => broken.includes(m)),
    );
    const examples = r.findings
      .filter((f) => failed.includes(f.kind))
      .slice(0, 3)
      .map((f) => f.message);
    return {
      met: broken.length === 0,
      detail: [consistencyLine(summary), ...examples].join("; "),
      ...(failed.length ? { failed } : {}),
    };
  });
}

/**
 * Declared: the history shows at least one anomaly of each of `kinds` (the seed's weakness the drill
 * came to catch); the detail names what it showed and the models left.
 */
export function showsAnomalies(
  id: string,
  description: string,
  kinds: readonly AnomalyKind[],
): ExpectationSpec<unknown> {
  return expect(id, description, (e) => {
    const summary = consistencySummary(e.results.of("consistency"));
    if (!summary) return { met: false, detail: "the consistency checker judged no model" };
    const missing = kinds.filter((k) => !summary.anomalies[k]);
    return {
      met: missing.length === 0,
      detail: `${consistencyLine(summary)}${missing.length ? `; not shown: ${missing.join(", ")}` : ""}`,
    };
  });
}
