/**
 * Waiting for the first Watchdog notification, against a small real HTTP receiver serving recorded
 * deliveries: it returns as soon as one arrives, ignores other alerts and resolved ones (planted),
 * and gives up at its bound without throwing, saying why.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Delivery } from "../probes/receiver-client.ts";
import { awaitFirstWatchdog, isWatchdogDelivery } from "./await-watchdog.ts";

const delivery = (seq: number, alertname: string, status: "firing" | "resolved" = "firing"): Delivery => ({
  seq,
  source: "alertmanager",
  receivedAtMs: 1_000 + seq,
  payload: { status, alerts: [{ status, labels: { alertname } }] },
});

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A receiver whose n-th answer to /deliveries is `answers[n]` (the last one repeated). */
async function receiver(answers: Delivery[][]): Promise<string> {
  let calls = 0;
  server = http.createServer((_req, res) => {
    const deliveries = answers[Math.min(calls++, answers.length - 1)];
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ deliveries }));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("awaiting the first Watchdog notification", () => {
  it("only a firing Watchdog from Alertmanager counts", () => {
    expect(isWatchdogDelivery(delivery(1, "Watchdog"))).toBe(true);
    expect(isWatchdogDelivery(delivery(1, "Watchdog", "resolved"))).toBe(false);
    expect(isWatchdogDelivery(delivery(1, "AppInstanceDown"))).toBe(false);
    expect(isWatchdogDelivery({ ...delivery(1, "Watchdog"), source: "grafana" })).toBe(false);
  });

  it("returns once it arrives, after other alerts' notifications", async () => {
    const url = await receiver([
      [],
      [delivery(1, "MariaDBDown")],
      [delivery(1, "MariaDBDown"), delivery(2, "Watchdog")],
    ]);
    const r = await awaitFirstWatchdog(url, {
      progress: { step() {}, detail() {}, warn() {} },
      timeoutMs: 10_000,
    });
    expect(r.arrived).toBe(true);
    expect(r.seconds).toBeLessThan(5);
  });

  it("gives up at its bound without throwing, and says so", async () => {
    const url = await receiver([[delivery(1, "Watchdog", "resolved")]]);
    const said: string[] = [];
    const r = await awaitFirstWatchdog(url, {
      progress: { step() {}, detail: (m) => said.push(m), warn() {} },
      timeoutMs: 1200,
    });
    expect(r.arrived).toBe(false);
    expect(said.join("\n")).toMatch(
      /^no Watchdog notification at the receiver after \d s: the steady state will judge/,
    );
  });
});
