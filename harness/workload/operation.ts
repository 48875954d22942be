import { errors, type Dispatcher } from "undici";
import type { HistoryRecorder } from "../history/history-file.ts";
import type {
  AddItemValue,
  CreateListValue,
  ListedItem,
  OpCompletion,
  OpInvoke,
  OpKind,
  OpValue,
  ReadItemValue,
  ReadListValue,
  TxnStep,
  TxnValue,
  WriteItemValue,
} from "../history/history.ts";

/** What every operation of one generator shares: where it goes, how long it may take, where it is recorded. */
export interface OperationTarget {
  baseUrl: string;
  agent: Dispatcher;
  timeoutMs: number;
  history: HistoryRecorder;
}

/**
 * One operation through HAProxy, recorded as `invoke` then its completion: the one place that
 * decides ok / fail / info, so the workload's reads and the final reads are judged alike.
 * With `signal`, an operation the caller cut short is recorded as `info` (the harness gave up; it
 * says nothing about the lab); without one, behaviour is the workload's: no client-side abort.
 */
export function sendOperation(...call: OperationCall): Promise<OpCompletion> {
  return new Promise((resolve) => startOperation(resolve, ...call));
}

/** sendOperation's arguments: startOperation's after `done`. */
type OperationCall = Parameters<typeof startOperation> extends [unknown, ...infer Call] ? Call : never;

/**
 * `sendOperation` without a promise, for the generator's hot path: `done` is called once, right
 * after the completion is appended to the history. The request goes straight to undici's
 * `dispatch` with a handler that keeps the status, the answering node and the body: the same
 * request on the wire as undici's `request()` (same method, path, headers, body, timeouts), the
 * same header parsing and body decoding, without its URL parsing, promise and body stream.
 */
export function startOperation(
  done: (c: OpCompletion) => void,
  t: OperationTarget,
  process: number,
  kind: OpKind,
  value: OpValue,
  path: string,
  body: string | undefined,
  signal?: AbortSignal,
): void {
  const t0 = t.history.now();
  const invoke: OpInvoke = { type: "invoke", process, op: kind, value, time: t0 };
  t.history.append(invoke);
  const handler = new OperationHandler(t, process, kind, value, t0, signal, done);
  try {
    const to = resolveUrl(t.baseUrl, path);
    t.agent.dispatch(
      {
        origin: to.origin,
        path: to.path,
        method: body === undefined ? "GET" : kind === "write-item" ? "PATCH" : "POST",
        headers: body === undefined ? undefined : jsonContent,
        body,
        headersTimeout: t.timeoutMs,
        bodyTimeout: t.timeoutMs,
      },
      handler,
    );
  } catch (err) {
    // A request undici refuses to start (an unusable URL) is that operation's error, as it was
    // when request() threw it.
    handler.onResponseError(undefined, err as Error);
  }
}

const jsonContent = { "content-type": "application/json" } as const;

const plainPath = /^(?:\/[\w-]+)+$/;
let lastBase = "";
let lastBaseIsOrigin = false;
/**
 * Origin and path of `${baseUrl}${path}`, as undici's `request(url)` splits it. A base URL that is
 * exactly an origin (every caller's) costs a string comparison; any other goes through `URL`.
 */
function resolveUrl(baseUrl: string, path: string): { origin: string; path: string } {
  if (baseUrl !== lastBase) {
    lastBaseIsOrigin = URL.canParse(baseUrl) && new URL(baseUrl).origin === baseUrl;
    lastBase = baseUrl;
  }
  // Segments of word characters and dashes: nothing URL parsing would encode, resolve or split off.
  if (lastBaseIsOrigin && plainPath.test(path)) return { origin: baseUrl, path };
  const url = new URL(`${baseUrl}${path}`);
  return { origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname };
}

/** undici's handler for one operation: collects the answer, then classifies and records it. */
class OperationHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  /** Why the caller aborted before the request reached a connection (undici aborts it there). */
  private reason: Error | undefined;
  private removeAbortListener: (() => void) | undefined;
  private status = 0;
  private node: string | undefined;
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private settled = false;

  constructor(
    private readonly t: OperationTarget,
    private readonly process: number,
    private readonly kind: OpKind,
    private readonly value: OpValue,
    private readonly t0: number,
    private readonly signal: AbortSignal | undefined,
    private readonly done: (c: OpCompletion) => void,
  ) {
    if (!signal) return;
    // As undici's request() does with a signal: abort now if connected, else when it connects.
    const reasonOf = () => (signal.reason as Error | undefined) ?? new errors.RequestAbortedError();
    if (signal.aborted) {
      this.reason = reasonOf();
      return;
    }
    const onAbort = () => {
      if (this.controller) this.controller.abort(reasonOf());
      else this.reason = reasonOf();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    this.removeAbortListener = () => signal.removeEventListener("abort", onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.reason) controller.abort(this.reason);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // 1xx: informational, the real answer follows (request() ignores them too).
    if (statusCode < 200) return;
    this.status = statusCode;
    // undici's own header parsing, as request()'s res.headers: a repeated header is an array.
    this.node = headers["x-served-by"] as string | undefined;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  onResponseEnd(): void {
    if (this.settled) return;
    const t1 = this.t.history.now();
    const { process, kind, node } = this;
    const completion = classify(process, kind, this.value, this.status, this.text(), node, t1, t1 - this.t0);
    this.finish(completion);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    if (this.settled) return;
    const t1 = this.t.history.now();
    const { process, kind, value, signal } = this;
    const e = err as Error & { code?: string };
    const error = `${e.code ?? e.name}: ${e.message}`;
    let completion: OpCompletion;
    if (signal?.aborted) {
      completion = {
        type: "info",
        process,
        op: kind,
        value,
        time: t1,
        latencyMs: t1 - this.t0,
        error: `aborted by the harness: ${String(signal.reason instanceof Error ? signal.reason.message : signal.reason)}`,
      };
    } else {
      // Refused: the request never reached a server, so it surely did not happen. Anything else
      // (timeout, reset) may hide a write that did: unknown outcome. A read writes nothing: fail.
      const definite = e.code === "ECONNREFUSED" || kind === "read-item" || kind === "read-list";
      completion = {
        type: definite ? "fail" : "info",
        process,
        op: kind,
        value,
        time: t1,
        latencyMs: t1 - this.t0,
        error,
      };
    }
    this.finish(completion);
  }

  /** The body as undici's `res.body.text()` decodes it: UTF-8, a leading BOM skipped. */
  private text(): string {
    const { chunks, length } = this;
    if (chunks.length === 0 || length === 0) return "";
    const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
    const bom = buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf;
    return buffer.toString("utf8", bom ? 3 : 0);
  }

  private finish(completion: OpCompletion): void {
    this.settled = true;
    this.removeAbortListener?.();
    this.t.history.append(completion);
    this.done(completion);
  }
}

/**
 * The completion of an answered operation. Objects are written out key by key, in the order the
 * spreads this replaced gave (`{ ...{ process, op, time, node, latencyMs }, type, value, error }`,
 * values `{ ...value, id }` and `{ ...value, text, found }`): on Node 20 a spread followed by more
 * properties takes ~1 µs, several per operation.
 */
function classify(
  process: number,
  op: OpKind,
  value: OpValue,
  status: number,
  text: string,
  node: string | undefined,
  time: number,
  latencyMs: number,
): OpCompletion {
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  if (op === "read-item") {
    if (status === 200) {
      const read: ReadItemValue = Object.assign({}, value as ReadItemValue);
      read.text = String(json.text);
      if (typeof json.done === "boolean") read.done = json.done;
      read.found = true;
      return { process, op, time, node, latencyMs, type: "ok", value: read };
    }
    // A node said "no such item" (HAProxy's own 404 would carry no node): the read happened.
    if (status === 404 && node) {
      const read: ReadItemValue = Object.assign({}, value as ReadItemValue);
      read.found = false;
      return { process, op, time, node, latencyMs, type: "ok", value: read };
    }
    return { process, op, time, node, latencyMs, type: "fail", value, error: `HTTP ${status}` };
  }
  if (op === "read-list") {
    const read: ReadListValue = Object.assign({}, value as ReadListValue);
    if (status === 200) {
      read.items = listedItems(json.items);
      read.found = true;
      return { process, op, time, node, latencyMs, type: "ok", value: read };
    }
    if (status === 404 && node) {
      read.found = false;
      return { process, op, time, node, latencyMs, type: "ok", value: read };
    }
    return { process, op, time, node, latencyMs, type: "fail", value, error: `HTTP ${status}` };
  }
  if (op === "write-item" && status === 200)
    return { process, op, time, node, latencyMs, type: "ok", value: value as WriteItemValue };
  if (op === "txn" && status === 200) {
    const results = Array.isArray(json.results) ? (json.results as Record<string, unknown>[]) : [];
    const steps: TxnStep[] = (value as TxnValue).steps.map((s, i) => {
      const r = results[i] ?? {};
      return s.f === "r" ? { ...s, items: listedItems(r.items) } : { ...s, id: Number(r.id) };
    });
    return { process, op, time, node, latencyMs, type: "ok", value: { steps } };
  }
  if (status === 201) {
    const written: CreateListValue | AddItemValue = Object.assign(
      {},
      value as CreateListValue | AddItemValue,
    );
    written.id = Number(json.id);
    return { process, op, time, node, latencyMs, type: "ok", value: written };
  }
  // 4xx from the app (a 404 of an edit or a transaction included): refused before writing, or rolled back. HAProxy's own 503 (no node header): no server took it.
  if ((status >= 400 && status < 500) || (status === 503 && !node))
    return { process, op, time, node, latencyMs, type: "fail", value, error: `HTTP ${status}` };
  // A 5xx from a node or a 502/504 from HAProxy may come after the row was written.
  const error = `HTTP ${status}${node ? ` from ${node}` : ""}`;
  return { process, op, time, node, latencyMs, type: "info", value, error };
}

/** A list's items as the app returns them, in its order; anything else reads as an empty list. */
function listedItems(items: unknown): ListedItem[] {
  if (!Array.isArray(items)) return [];
  return items.map((i: Record<string, unknown>) => ({
    id: Number(i.id),
    text: String(i.text),
    done: i.done === true,
  }));
}
