/**
 * An error the user can act on: one line saying what is wrong and what to do.
 * The CLI prints only the message (no stack) and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** A bounded wait ran out; carries what was last seen so the message says why. */
export class WaitTimeoutError extends Error {
  constructor(
    what: string,
    readonly elapsedMs: number,
    readonly lastError: unknown,
  ) {
    super(`${what}: not reached after ${(elapsedMs / 1000).toFixed(1)} s; last: ${describe(lastError)}`);
    this.name = "WaitTimeoutError";
  }
}

export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
