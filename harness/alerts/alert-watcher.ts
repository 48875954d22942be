import type { AlertEvent, NotificationEvent, ProbeEvent } from "../history/history.ts";
import type { HistoryRecorder } from "../history/history-file.ts";
import type { PrometheusClient } from "../probes/prometheus-client.ts";
import type { Delivery, ReceiverClient } from "../probes/receiver-client.ts";
import { describe } from "../util/errors.ts";
import { alertIdentity, alertKey, type AlertIdentity } from "./alert-key.ts";

/** A source of "which alerts are pending or firing now" (Prometheus, or Grafana where it runs). */
export interface AlertSource {
  source: AlertEvent["source"];
  /** `sinceMs` (wall clock) is when the alert entered its state, where the source knows it. */
  active(): Promise<{ labels: Record<string, string>; state: "pending" | "firing"; sinceMs?: number }[]>;
}

export function prometheusSource(client: PrometheusClient): AlertSource {
  return { source: "prometheus", active: () => client.activeAlerts() };
}

export interface AlertWatcherOptions {
  history: HistoryRecorder;
  sources: AlertSource[];
  receiver: ReceiverClient;
  intervalMs?: number;
  /** A watcher left running stops itself after this long (every loop is bounded). */
  maxSeconds?: number;
}

/**
 * Watches alerts and notifications for the length of a drill and writes every change into the
 * drill's history: an alert going pending, firing or away (resolved), and each webhook delivery
 * at the time the receiver stamped on it, and whether each source could be reached at all (a `probe`
 * event on the first poll and on every change), so "no alert fired" can be told from "nothing was
 * seen". Expectations are then judged from the history alone, so they can be re-checked on a saved run.
 */
export class AlertWatcher {
  private readonly seen = new Map<
    string,
    { source: string; id: AlertIdentity; state: "pending" | "firing" }
  >();
  private lastSeq = 0;
  /** Each source's last recorded reachability: a probe event is written only when it changes. */
  private readonly reachable = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;
  /** Every poll chains on the previous one: a sync() and the timer never poll at the same time. */
  private chain: Promise<void> = Promise.resolve();
  private readonly deadline: number;
  /** The last poll error, kept so a report can say why no alert was seen (never swallowed silently). */
  lastError: string | undefined;
  polls = 0;

  constructor(private readonly o: AlertWatcherOptions) {
    this.deadline = performance.now() + (o.maxSeconds ?? 1800) * 1000;
  }

  start(): this {
    const tick = () => {
      if (performance.now() > this.deadline) return;
      void this.poll().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.o.intervalMs ?? 200);
      });
    };
    this.timer = setTimeout(tick, 0);
    return this;
  }

  /** One poll of every source and the receiver, now (after a poll already under way). */
  async sync(): Promise<void> {
    await this.poll();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.poll();
  }

  private poll(): Promise<void> {
    const next = this.chain.then(async () => {
      this.polls++;
      await Promise.all([...this.o.sources.map((s) => this.pollSource(s)), this.pollReceiver()]);
    });
    // A failed poll must not stop the ones after it (each source already records its own errors).
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async pollSource(s: AlertSource): Promise<void> {
    let active;
    const asked = this.o.history.now();
    try {
      active = await s.active();
    } catch (err) {
      this.lastError = `${s.source}: ${describe(err)}`;
      this.probe(s.source, asked, err);
      return;
    }
    this.probe(s.source, asked);
    const now = this.o.history.now();
    const current = new Set<string>();
    for (const a of active) {
      const id = alertIdentity(a.labels);
      const key = `${s.source}:${alertKey(id)}`;
      current.add(key);
      const before = this.seen.get(key);
      if (before?.state === a.state) continue;
      // Pending → firing is a change; firing → pending does not happen in Prometheus.
      this.seen.set(key, { source: s.source, id, state: a.state });
      // The source's own timestamp is exact to its evaluation; the poll only sees it up to a poll later.
      const since = a.sinceMs !== undefined ? Math.min(now, this.o.history.fromWallClock(a.sinceMs)) : now;
      this.append({ type: "alert", source: s.source, ...id, state: a.state, time: since });
    }
    for (const [key, v] of this.seen) {
      if (v.source !== s.source || current.has(key)) continue;
      this.seen.delete(key);
      this.append({ type: "alert", source: s.source, ...v.id, state: "resolved", time: now });
    }
  }

  private async pollReceiver(): Promise<void> {
    let deliveries;
    const asked = this.o.history.now();
    try {
      deliveries = await this.o.receiver.deliveries(this.lastSeq);
    } catch (err) {
      this.lastError = `receiver: ${describe(err)}`;
      this.probe("receiver", asked, err);
      return;
    }
    this.probe("receiver", asked);
    for (const d of deliveries) {
      this.lastSeq = Math.max(this.lastSeq, d.seq);
      this.append(notificationOf(d, this.o.history.fromWallClock(d.receivedAtMs)));
    }
  }

  /** `asked`: when the request went out; a hung source is unreachable from then, not from its timeout. */
  private probe(source: string, asked: number, err?: unknown): void {
    const ok = err === undefined;
    if (this.reachable.get(source) === ok) return;
    this.reachable.set(source, ok);
    this.append({
      type: "probe",
      source,
      ok,
      ...(ok ? {} : { error: describe(err) }),
      time: asked,
    });
  }

  private append(e: AlertEvent | NotificationEvent | ProbeEvent): void {
    this.o.history.append(e);
  }
}

/** A receiver's delivery as the history records it, at history time `time`. */
export function notificationOf(d: Delivery, time: number): NotificationEvent {
  return {
    type: "notification",
    source: d.source === "grafana" ? "grafana" : "alertmanager",
    status: d.payload.status,
    alerts: (d.payload.alerts ?? []).map((a) => ({ ...alertIdentity(a.labels), status: a.status })),
    time,
  };
}
