import { ALERTMANAGER_WEBHOOK_URL } from "../providers/testcontainers/testcontainers-provider.ts";
import type { Mutant } from "./mutant.ts";
import { alertmanagerMutant, ruleEditMutant, ruleMutant } from "./mutant-builders.ts";

/** Prometheus' alert rules (hardened `rules/alerts.yml`) and Alertmanager (`alertmanager.yml`). */
export const alertingMutants: readonly Mutant[] = [
  ruleEditMutant(
    {
      id: "rule-app-down-for-30s",
      title: "AppInstanceDown waits 30 s (`for: 30s`)",
      layer: "prometheus-rules",
      profile: "hardened",
      why: "The operator raises AppInstanceDown's `for:` to 30 s to silence flapping pages, so a 10 s crash of a node passes unalerted.",
      drills: [
        {
          drill: "crash-node1",
          breaks: ['alert:AppInstanceDown{node="node1"}#fires'],
        },
      ],
    },
    "AppInstanceDown",
    [/^( *)for: 2s$/m, "        for: 30s"],
  ),
  ruleEditMutant(
    {
      id: "rule-server-down-wrong-job",
      title: 'ServerDown selects the node exporter by the wrong job name (`job="node"`)',
      layer: "prometheus-rules",
      profile: "hardened",
      why: "The operator copies ServerDown from a guide whose scrape job is called `node`; this stack's job is `node-exporter` (the original's name), so the selector matches no series and a dead server is never reported.",
      drills: [{ drill: "crash-node1", breaks: ['alert:ServerDown{server="node1"}#fires'] }],
    },
    "ServerDown",
    [`expr: 'up{job="node-exporter"} == 0'`, `expr: 'up{job="node"} == 0'`],
  ),
  ruleEditMutant(
    {
      id: "rule-server-down-without-node",
      title: "HAProxyServerDown loses its node label (no label_replace)",
      layer: "prometheus-rules",
      profile: "hardened",
      why: "The operator simplifies HAProxyServerDown to `haproxy_server_status{…} == 1`, dropping the `label_replace` that names the node, so the alert fires without saying which node and routes keyed on `node` miss it.",
      drills: [{ drill: "crash-node1", breaks: ['alert:HAProxyServerDown{node="node1"}#fires'] }],
    },
    "HAProxyServerDown",
    [
      `expr: 'label_replace(haproxy_server_status{proxy="app", state="DOWN"}, "node", "$1", "server", "(.*)") == 1'`,
      `expr: 'haproxy_server_status{proxy="app", state="DOWN"} == 1'`,
    ],
  ),
  ruleEditMutant(
    {
      id: "rule-sql-thread-on-lag",
      title: "ReplicationSQLThreadStopped alerts on lag only",
      layer: "prometheus-rules",
      profile: "hardened",
      why: "The operator rewrites ReplicationSQLThreadStopped as `mysql_slave_status_seconds_behind_master > 30`; a stopped SQL thread reports its lag as NULL, the series disappears, and the alert never fires.",
      drills: [
        {
          drill: "split-brain-conflict",
          breaks: ['alert:ReplicationSQLThreadStopped{node="node*"}#fires'],
        },
      ],
    },
    "ReplicationSQLThreadStopped",
    [
      "expr: 'mysql_slave_status_slave_sql_running == 0'",
      "expr: 'mysql_slave_status_seconds_behind_master > 30'",
    ],
  ),
  ruleEditMutant(
    {
      id: "rule-5xx-as-percent",
      title: "HighHTTP5xxRate compares a ratio with 5 (percent)",
      layer: "prometheus-rules",
      profile: "hardened",
      why: "The operator writes the 5 % threshold as `> 5` on an expression that is a ratio between 0 and 1, so the 5xx-rate alert can never fire.",
      drills: [{ drill: "load-haproxy", breaks: ["alert:HighHTTP5xxRate#fires"] }],
    },
    "HighHTTP5xxRate",
    [/ > 0\.05$/m, " > 5"],
  ),
  ruleMutant(
    {
      id: "rule-io-thread-deleted",
      title: "The ReplicationIOThreadStopped rule is deleted",
      layer: "prometheus-rules",
      profile: "hardened",
      why: "The operator deletes ReplicationIOThreadStopped as redundant with ReplicationLagHigh, but the lag of a replica that receives nothing stays 0: a cut replication link raises nothing.",
      drills: [
        {
          drill: "split-replication",
          breaks: ['alert:ReplicationIOThreadStopped{node="node*"}#fires'],
        },
      ],
    },
    "ReplicationIOThreadStopped",
    () => "",
  ),
  alertmanagerMutant(
    {
      id: "alertmanager-no-send-resolved",
      title: "Alertmanager does not send resolved notifications",
      layer: "alertmanager",
      profile: "hardened",
      why: "The operator sets `send_resolved: false` to cut the noise, so the on-call never learns that an outage is over.",
      drills: [{ drill: "crash-node1", breaks: ["alert:*#resolves"] }],
    },
    ["send_resolved: true", "send_resolved: false"],
  ),
  alertmanagerMutant(
    {
      id: "alertmanager-group-wait-30s",
      title: "Alertmanager batches for 30 s (`group_wait: 30s`)",
      layer: "alertmanager",
      profile: "hardened",
      why: "The operator keeps Alertmanager's common `group_wait: 30s`, so every first notification of an outage leaves half a minute late.",
      // The Watchdog's first notification waits out group_wait too: the steady state's pipeline check
      // usually stops the drill before the fault; otherwise the crash's notifications come too late.
      drills: [
        {
          drill: "crash-node1",
          breaks: ["alert-pipeline-alive", "steady-state-before#alert-pipeline-dead", "alert:*#notified"],
        },
      ],
    },
    [/^( *)group_wait: 0s$/m, "  group_wait: 30s"],
  ),
  alertmanagerMutant(
    {
      id: "alertmanager-dead-webhook",
      title: "Alertmanager posts to a dead webhook (wrong port)",
      layer: "alertmanager",
      profile: "seed",
      why: "The operator mistypes the receiver's port in the webhook URL; every notification fails, and a drill that only checks that alerts stay quiet cannot tell silence from a dead pipeline.",
      // The seed's drills only assert that alerts stay quiet: the steady state's liveness check (the
      // harness-owned Watchdog must keep arriving) is what tells a dead pipeline from a quiet one.
      drills: [
        { drill: "crash-node1", breaks: ["steady-state-before#alert-pipeline-dead", "alert-pipeline-alive"] },
      ],
    },
    [`url: "${ALERTMANAGER_WEBHOOK_URL}"`, `url: "${ALERTMANAGER_WEBHOOK_URL.replace(":9099/", ":9098/")}"`],
  ),
];
