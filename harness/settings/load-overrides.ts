/** What a user may change of a drill from the CLI; validated before anything starts. */
export interface LoadOverrides {
  /** Operations per second of the drill's steady load. */
  rate?: number;
  /** Seconds the fault lasts. */
  faultSeconds?: number;
}

export const MAX_RATE = 2000;

export function parseLoadOverrides(
  values: { rate?: unknown; duration?: unknown },
  env: NodeJS.ProcessEnv = process.env,
): LoadOverrides {
  const capSeconds = Number(env.FIREDRILL_MAX_FAULT_SECONDS ?? 300);
  const out: LoadOverrides = {};
  if (values.rate !== undefined) {
    const rate = Number(values.rate);
    if (!Number.isFinite(rate) || rate <= 0)
      throw new Error(
        `--rate must be a positive number of operations per second, not "${String(values.rate)}"`,
      );
    if (rate > MAX_RATE)
      throw new Error(`--rate ${rate} is over the cap of ${MAX_RATE} operations per second`);
    out.rate = rate;
  }
  if (values.duration !== undefined) {
    const seconds = Number(values.duration);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new Error(`--duration must be a positive number of seconds, not "${String(values.duration)}"`);
    if (seconds > capSeconds) {
      throw new Error(
        `--duration ${seconds} s is over the cap of ${capSeconds} s (FIREDRILL_MAX_FAULT_SECONDS raises it)`,
      );
    }
    out.faultSeconds = seconds;
  }
  return out;
}
