import type { CheckResult } from "../store/check-result.ts";
import type { Checker } from "./checker.ts";
import { checkers } from "./registry.ts";

/**
 * A drill's checker results by name, read through accessors instead of string keys with `!`: a
 * missing result is said, by name, where it is asked for.
 */
export class CheckResults {
  private readonly byName: ReadonlyMap<string, CheckResult>;

  constructor(readonly list: readonly CheckResult[]) {
    this.byName = new Map(list.map((r) => [r.checker, r]));
  }

  /** The result of the checker (or named spec), if it ran. */
  get(name: string): CheckResult | undefined {
    return this.byName.get(name);
  }

  /** The result, which the caller knows ran; throws naming it when it did not. */
  of(name: string): CheckResult {
    const r = this.byName.get(name);
    if (!r) throw new Error(`the ${name} checker did not run`);
    return r;
  }

  /** One figure of a checker, typed by the figures it declares; null where it did not run or measure it. */
  figure<F extends string>(
    checker: Pick<Checker<unknown, F>, "id" | "figures">,
    key: F,
    name = checker.id,
  ): number | null {
    return this.byName.get(name)?.figures[key] ?? null;
  }

  /**
   * The key figures every registered checker declares, null where it did not run: what a drill's
   * summary carries, derived from the checker list (a new checker's key figures appear by themselves).
   */
  keyFigures(): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const c of checkers)
      for (const key of c.keyFigures) out[key] = this.byName.get(c.id)?.figures[key] ?? null;
    return out;
  }
}
