export interface RatePhase {
  /** Operations per second during this phase (ramps are a list of phases). */
  rate: number;
  seconds: number;
}

/**
 * The arrival schedule, one arrival at a time: phase by phase at that phase's constant rate, at most
 * `maxOps` in all. Computed as it goes, so a million-operation run holds no array of its times.
 */
export class Schedule {
  private phase = 0;
  private k = 0;
  private phaseStart = 0;
  private count = 0;

  constructor(
    private readonly phases: readonly RatePhase[],
    private readonly maxOps: number,
  ) {}

  /** Milliseconds from the start of the next arrival, or -1 when there is none. */
  next(): number {
    if (this.count >= this.maxOps) return -1;
    for (;;) {
      const p = this.phases[this.phase];
      if (p === undefined) return -1;
      if (this.k < Math.floor(p.rate * p.seconds)) {
        this.count++;
        return this.phaseStart + (this.k++ * 1000) / p.rate;
      }
      this.phaseStart += p.seconds * 1000;
      this.phase++;
      this.k = 0;
    }
  }
}

/** Which arrival falls at which time: phase by phase at that phase's constant rate. */
export function arrivalTimes(phases: readonly RatePhase[], maxOps: number): number[] {
  const times: number[] = [];
  const schedule = new Schedule(phases, maxOps);
  for (let at = schedule.next(); at >= 0; at = schedule.next()) times.push(at);
  return times;
}
