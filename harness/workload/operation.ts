import { request, type Agent } from "undici";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { OpCompletion, OpKind, OpValue } from "../history/history.ts";

/** What every operation of one generator shares: where it goes, how long it may take, where it is recorded. */
export interface OperationTarget {
  baseUrl: string;
  agent: Agent;
  timeoutMs: number;
  history: HistoryRecorder;
}

/**
 * One operation through HAProxy, recorded as `invoke` then its completion: the one place that
 * decides ok / fail / info, so the workload's reads and the final reads are judged alike.
 * With `signal`, an operation the caller cut short is recorded as `info` (the harness gave up; it
 * says nothing about the lab); without one, behaviour is the workload's: no client-side abort.
 */
export async function sendOperation(
  t: OperationTarget,
  process: number,
  kind: OpKind,
  value: OpValue,
  path: string,
  body: string | undefined,
  signal?: AbortSignal,
): Promise<OpCompletion> {
  const t0 = t.history.now();
  t.history.append({ type: "invoke", process, op: kind, value, time: t0 });
  let completion: OpCompletion;
  try {
    const res = await request(`${t.baseUrl}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body,
      dispatcher: t.agent,
      headersTimeout: t.timeoutMs,
      bodyTimeout: t.timeoutMs,
      signal,
    });
    const text = await res.body.text();
    const node = (res.headers["x-served-by"] as string | undefined) ?? undefined;
    const t1 = t.history.now();
    const base = { process, op: kind, time: t1, node, latencyMs: t1 - t0 };
    completion = classify(kind, value, res.statusCode, text, node, base);
  } catch (err) {
    const t1 = t.history.now();
    const e = err as Error & { code?: string };
    const error = `${e.code ?? e.name}: ${e.message}`;
    if (signal?.aborted) {
      completion = {
        type: "info",
        process,
        op: kind,
        value,
        time: t1,
        latencyMs: t1 - t0,
        error: `aborted by the harness: ${String(signal.reason instanceof Error ? signal.reason.message : signal.reason)}`,
      };
    } else {
      // Refused: the request never reached a server, so it surely did not happen. Anything else
      // (timeout, reset) may hide a write that did: unknown outcome. A read writes nothing: fail.
      const definite = e.code === "ECONNREFUSED" || kind === "read-item";
      completion = {
        type: definite ? "fail" : "info",
        process,
        op: kind,
        value,
        time: t1,
        latencyMs: t1 - t0,
        error,
      };
    }
  }
  t.history.append(completion);
  return completion;
}

function classify(
  kind: OpKind,
  value: OpValue,
  status: number,
  text: string,
  node: string | undefined,
  base: { process: number; op: OpKind; time: number; node: string | undefined; latencyMs: number },
): OpCompletion {
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = {};
  }
  if (kind === "read-item") {
    if (status === 200)
      return { ...base, type: "ok", value: { ...value, text: String(json.text), found: true } };
    // A node said "no such item" (HAProxy's own 404 would carry no node): the read happened.
    if (status === 404 && node) return { ...base, type: "ok", value: { ...value, found: false } };
    return { ...base, type: "fail", value, error: `HTTP ${status}` };
  }
  if (status === 201) return { ...base, type: "ok", value: { ...value, id: Number(json.id) } };
  // 4xx from the app: refused before writing. HAProxy's own 503 (no node header): no server took it.
  if ((status >= 400 && status < 500) || (status === 503 && !node))
    return { ...base, type: "fail", value, error: `HTTP ${status}` };
  // A 5xx from a node or a 502/504 from HAProxy may come after the row was written.
  return { ...base, type: "info", value, error: `HTTP ${status}${node ? ` from ${node}` : ""}` };
}
