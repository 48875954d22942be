/**
 * `AsyncDisposableStack` (TC39 explicit resource management): the platform's where it has one
 * (Node 24), else this small stand-in with the same surface, so teardown is written once against
 * the standard API. Callbacks run in reverse order of registration; one that throws does not stop
 * the others; the errors come back together (`SuppressedError` chain, as the standard says).
 */
class FallbackAsyncDisposableStack {
  #stack: (() => Promise<void>)[] = [];
  #disposed = false;

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Registers a callback to run at disposal. */
  defer(onDisposeAsync: () => PromiseLike<void> | void): void {
    this.#check();
    this.#stack.push(async () => {
      await onDisposeAsync();
    });
  }

  /** Registers a disposable value (its `Symbol.asyncDispose`, or `Symbol.dispose`) and returns it. */
  use<T extends AsyncDisposable | Disposable | null | undefined>(value: T): T {
    this.#check();
    if (value === null || value === undefined) return value;
    const asyncDispose = (value as Partial<AsyncDisposable>)[Symbol.asyncDispose];
    const dispose = (value as Partial<Disposable>)[Symbol.dispose];
    const fn = asyncDispose ?? dispose;
    if (typeof fn !== "function") throw new TypeError("value is not disposable");
    this.#stack.push(async () => {
      await fn.call(value);
    });
    return value;
  }

  /** Registers a value with its own disposal callback and returns it. */
  adopt<T>(value: T, onDisposeAsync: (value: T) => PromiseLike<void> | void): T {
    this.#check();
    this.#stack.push(async () => {
      await onDisposeAsync(value);
    });
    return value;
  }

  async disposeAsync(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    let error: unknown;
    let failed = false;
    for (const fn of this.#stack.reverse()) {
      try {
        await fn();
      } catch (err) {
        error = failed ? suppressed(err, error) : err;
        failed = true;
      }
    }
    this.#stack = [];
    if (failed) throw error;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.disposeAsync();
  }

  #check(): void {
    if (this.#disposed) throw new ReferenceError("the stack is already disposed");
  }
}

/** The standard's wrapper of a later error over an earlier one, where the platform has it. */
function suppressed(error: unknown, earlier: unknown): unknown {
  const Suppressed = (globalThis as { SuppressedError?: new (e: unknown, s: unknown, m?: string) => Error })
    .SuppressedError;
  if (Suppressed) return new Suppressed(error, earlier, "several teardown steps failed");
  return Object.assign(new Error(`several teardown steps failed; the last: ${String(error)}`), {
    error,
    suppressed: earlier,
  });
}

type StackClass = new () => Pick<
  FallbackAsyncDisposableStack,
  "defer" | "use" | "adopt" | "disposeAsync" | "disposed" | typeof Symbol.asyncDispose
>;

export const AsyncDisposableStackImpl: StackClass =
  (globalThis as { AsyncDisposableStack?: StackClass }).AsyncDisposableStack ?? FallbackAsyncDisposableStack;

export type TeardownStack = InstanceType<StackClass>;
