/**
 * The to-do app's JSON API (cluster/app/todo/api.py) as k6 operations, with the same mix as the
 * harness's built-in generator: create a list 2, add an item 4, read an item 4. Each VU keeps the
 * ids it created (k6 VUs share no memory).
 */
import { check } from "k6";
import http from "k6/http";
import { Counter } from "k6/metrics";

/** Responses HAProxy sent (any status), and those that were 5xx: compared with HAProxy's own counters. */
export const answered = new Counter("firedrill_answered");
export const answered5xx = new Counter("firedrill_answered_5xx");

/**
 * The lab's HAProxy URL from `FIREDRILL_URL`. Load goes only to ports mapped on this machine's
 * loopback: any other host stops the script before a single request.
 */
export function firedrillUrl(): string {
  const url = __ENV.FIREDRILL_URL ?? "";
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?\/?$/.test(url)) {
    throw new Error(
      `FIREDRILL_URL must be http://127.0.0.1:<port> or http://localhost:<port> (the lab's HAProxy), not "${url}"`,
    );
  }
  return url.replace(/\/$/, "");
}

/** Positive integer from `__ENV[name]`, else the default; anything else stops the script. */
export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${raw}"`);
  return n;
}

/** Comma list of positive numbers from `__ENV[name]`, else the default. */
export function envNumbers(name: string, fallback: readonly number[]): number[] {
  const raw = __ENV[name];
  if (!raw) return [...fallback];
  return raw.split(",").map((w) => {
    const n = Number(w);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must list positive numbers, not "${raw}"`);
    return n;
  });
}

const lists: number[] = [];
const items: number[] = [];
let seq = 0;
const params = (op: string) => ({
  headers: { "Content-Type": "application/json" },
  timeout: "5s",
  tags: { op },
});

function record(res: http.RefinedResponse<"text">, expected: number): void {
  if (res.status !== 0) answered.add(1);
  if (res.status >= 500) answered5xx.add(1);
  check(res, { [`status ${expected}`]: (r) => r.status === expected });
}

function idOf(res: http.RefinedResponse<"text">): number | undefined {
  if (res.status !== 201 || typeof res.body !== "string") return undefined;
  const id = (JSON.parse(res.body) as { id?: unknown }).id;
  return typeof id === "number" ? id : undefined;
}

/** One operation through HAProxy, picked by the mix; the first ones create what later ones need. */
export function operation(baseUrl: string, tag: string): void {
  let r = Math.random() * 10;
  if (items.length === 0) r = lists.length === 0 ? 0 : Math.min(r, 5.9);
  const n = seq++;
  if (r < 2) {
    const res = http.post(
      `${baseUrl}/api/lists`,
      JSON.stringify({ title: `${tag}-l${n}` }),
      params("create-list"),
    );
    record(res, 201);
    const id = idOf(res);
    if (id !== undefined) lists.push(id);
  } else if (r < 6) {
    const listId = lists[Math.floor(Math.random() * lists.length)]!;
    const res = http.post(
      `${baseUrl}/api/lists/${listId}/items`,
      JSON.stringify({ text: `${tag}-i${n}` }),
      params("add-item"),
    );
    record(res, 201);
    const id = idOf(res);
    if (id !== undefined) items.push(id);
  } else {
    // Mostly recent writes, as the built-in generator: stale reads hide right after a write.
    const recent = items.slice(-50);
    const itemId = recent[Math.floor(Math.random() * recent.length)]!;
    record(http.get(`${baseUrl}/api/items/${itemId}`, params("read-item")), 200);
  }
}
