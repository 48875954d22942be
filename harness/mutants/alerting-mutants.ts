import { ALERTMANAGER_WEBHOOK_URL } from "../providers/testcontainers/testcontainers-provider.ts";
import type { Mutant } from "./mutant.ts";
import { editRule, replaceOnce } from "./text-edit.ts";

/** Prometheus' alert rules (hardened `rules/alerts.yml`) and Alertmanager (`alertmanager.yml`). */
export const alertingMutants: readonly Mutant[] = [
  {
    id: "rule-app-down-for-30s",
    title: "AppInstanceDown waits 30 s (`for: 30s`)",
    layer: "prometheus-rules",
    profile: "hardened",
    why: "The operator raises AppInstanceDown's `for:` to 30 s to silence flapping pages, so a 10 s crash of a node passes unalerted.",
    mutation: () => ({
      name: "rule-app-down-for-30s",
      config: (c) => ({
        ...c,
        rules: editRule(c.rules, "AppInstanceDown", (b, where) =>
          replaceOnce(b, /^( *)for: 2s$/m, "        for: 30s", where),
        ),
      }),
    }),
    drills: [
      {
        drill: "crash-node1",
        breaks: ['alert:AppInstanceDown{node="node1"}#fires'],
      },
    ],
  },
  {
    id: "rule-server-down-wrong-job",
    title: 'ServerDown selects the node exporter by the wrong job name (`job="node"`)',
    layer: "prometheus-rules",
    profile: "hardened",
    why: "The operator copies ServerDown from a guide whose scrape job is called `node`; this stack's job is `node-exporter` (the original's name), so the selector matches no series and a dead server is never reported.",
    mutation: () => ({
      name: "rule-server-down-wrong-job",
      config: (c) => ({
        ...c,
        rules: editRule(c.rules, "ServerDown", (b, where) =>
          replaceOnce(b, `expr: 'up{job="node-exporter"} == 0'`, `expr: 'up{job="node"} == 0'`, where),
        ),
      }),
    }),
    drills: [{ drill: "crash-node1", breaks: ['alert:ServerDown{server="node1"}#fires'] }],
  },
  {
    id: "rule-server-down-without-node",
    title: "HAProxyServerDown loses its node label (no label_replace)",
    layer: "prometheus-rules",
    profile: "hardened",
    why: "The operator simplifies HAProxyServerDown to `haproxy_server_status{…} == 1`, dropping the `label_replace` that names the node, so the alert fires without saying which node and routes keyed on `node` miss it.",
    mutation: () => ({
      name: "rule-server-down-without-node",
      config: (c) => ({
        ...c,
        rules: editRule(c.rules, "HAProxyServerDown", (b, where) =>
          replaceOnce(
            b,
            `expr: 'label_replace(haproxy_server_status{proxy="app", state="DOWN"}, "node", "$1", "server", "(.*)") == 1'`,
            `expr: 'haproxy_server_status{proxy="app", state="DOWN"} == 1'`,
            where,
          ),
        ),
      }),
    }),
    drills: [{ drill: "crash-node1", breaks: ['alert:HAProxyServerDown{node="node1"}#fires'] }],
  },
  {
    id: "rule-sql-thread-on-lag",
    title: "ReplicationSQLThreadStopped alerts on lag only",
    layer: "prometheus-rules",
    profile: "hardened",
    why: "The operator rewrites ReplicationSQLThreadStopped as `mysql_slave_status_seconds_behind_master > 30`; a stopped SQL thread reports its lag as NULL, the series disappears, and the alert never fires.",
    mutation: () => ({
      name: "rule-sql-thread-on-lag",
      config: (c) => ({
        ...c,
        rules: editRule(c.rules, "ReplicationSQLThreadStopped", (b, where) =>
          replaceOnce(
            b,
            "expr: 'mysql_slave_status_slave_sql_running == 0'",
            "expr: 'mysql_slave_status_seconds_behind_master > 30'",
            where,
          ),
        ),
      }),
    }),
    drills: [
      {
        drill: "split-brain-conflict",
        breaks: ['alert:ReplicationSQLThreadStopped{node="node*"}#fires'],
      },
    ],
  },
  {
    id: "rule-5xx-as-percent",
    title: "HighHTTP5xxRate compares a ratio with 5 (percent)",
    layer: "prometheus-rules",
    profile: "hardened",
    why: "The operator writes the 5 % threshold as `> 5` on an expression that is a ratio between 0 and 1, so the 5xx-rate alert can never fire.",
    mutation: () => ({
      name: "rule-5xx-as-percent",
      config: (c) => ({
        ...c,
        rules: editRule(c.rules, "HighHTTP5xxRate", (b, where) =>
          replaceOnce(b, / > 0\.05$/m, " > 5", where),
        ),
      }),
    }),
    drills: [{ drill: "load-haproxy", breaks: ["alert:HighHTTP5xxRate#fires"] }],
  },
  {
    id: "rule-io-thread-deleted",
    title: "The ReplicationIOThreadStopped rule is deleted",
    layer: "prometheus-rules",
    profile: "hardened",
    why: "The operator deletes ReplicationIOThreadStopped as redundant with ReplicationLagHigh, but the lag of a replica that receives nothing stays 0: a cut replication link raises nothing.",
    mutation: () => ({
      name: "rule-io-thread-deleted",
      config: (c) => ({ ...c, rules: editRule(c.rules, "ReplicationIOThreadStopped", () => "") }),
    }),
    drills: [
      {
        drill: "split-replication",
        breaks: ['alert:ReplicationIOThreadStopped{node="node*"}#fires'],
      },
    ],
  },
  {
    id: "alertmanager-no-send-resolved",
    title: "Alertmanager does not send resolved notifications",
    layer: "alertmanager",
    profile: "hardened",
    why: "The operator sets `send_resolved: false` to cut the noise, so the on-call never learns that an outage is over.",
    mutation: () => ({
      name: "alertmanager-no-send-resolved",
      config: (c) => ({
        ...c,
        alertmanager: replaceOnce(
          c.alertmanager,
          "send_resolved: true",
          "send_resolved: false",
          "alertmanager.yml",
        ),
      }),
    }),
    drills: [{ drill: "crash-node1", breaks: ["alert:*#resolves"] }],
  },
  {
    id: "alertmanager-group-wait-30s",
    title: "Alertmanager batches for 30 s (`group_wait: 30s`)",
    layer: "alertmanager",
    profile: "hardened",
    why: "The operator keeps Alertmanager's common `group_wait: 30s`, so every first notification of an outage leaves half a minute late.",
    mutation: () => ({
      name: "alertmanager-group-wait-30s",
      config: (c) => ({
        ...c,
        alertmanager: replaceOnce(
          c.alertmanager,
          /^( *)group_wait: 0s$/m,
          "  group_wait: 30s",
          "alertmanager.yml",
        ),
      }),
    }),
    // The Watchdog's first notification waits out group_wait too: the steady state's pipeline check
    // usually stops the drill before the fault; otherwise the crash's notifications come too late.
    drills: [
      {
        drill: "crash-node1",
        breaks: ["alert-pipeline-alive", "steady-state-before#alert-pipeline-dead", "alert:*#notified"],
      },
    ],
  },
  {
    id: "alertmanager-dead-webhook",
    title: "Alertmanager posts to a dead webhook (wrong port)",
    layer: "alertmanager",
    profile: "seed",
    why: "The operator mistypes the receiver's port in the webhook URL; every notification fails, and a drill that only checks that alerts stay quiet cannot tell silence from a dead pipeline.",
    mutation: () => ({
      name: "alertmanager-dead-webhook",
      config: (c) => ({
        ...c,
        alertmanager: replaceOnce(
          c.alertmanager,
          `url: "${ALERTMANAGER_WEBHOOK_URL}"`,
          `url: "${ALERTMANAGER_WEBHOOK_URL.replace(":9099/", ":9098/")}"`,
          "alertmanager.yml",
        ),
      }),
    }),
    // The seed's drills only assert that alerts stay quiet: the steady state's liveness check (the
    // harness-owned Watchdog must keep arriving) is what tells a dead pipeline from a quiet one.
    drills: [
      { drill: "crash-node1", breaks: ["steady-state-before#alert-pipeline-dead", "alert-pipeline-alive"] },
    ],
  },
];
