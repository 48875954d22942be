import type { Mutant } from "./mutant.ts";
import { haproxyMutant } from "./mutant-builders.ts";

/** HAProxy in front of the two apps (hardened `haproxy.cfg`). */
export const haproxyMutants: readonly Mutant[] = [
  haproxyMutant(
    {
      id: "haproxy-tcp-check",
      title: "HAProxy checks TCP only (no HTTP check of /healthz)",
      layer: "haproxy",
      profile: "hardened",
      why: "The operator drops `option httpchk` and its `http-check` lines (the TCP check looked enough), so HAProxy sees that gunicorn accepts connections, not that the app can reach its database.",
      // The passive check still marks node1 down on its 5xx, but the TCP check brings it back every
      // ~2 s (rise 2, downinter 1s): traffic flaps back to the dead node for the whole fault.
      drills: [{ drill: "kill-node1-db", breaks: ["failover"] }],
    },
    [
      /^[ \t]*option httpchk\n[ \t]*http-check send meth GET uri \/healthz\n[ \t]*http-check expect status 200\n/m,
      "",
    ],
  ),
  haproxyMutant(
    {
      id: "haproxy-default-check-timing",
      title: "HAProxy's default check timing and no passive check",
      layer: "haproxy",
      profile: "hardened",
      why: "The operator keeps HAProxy's default check timing (every 2 s, down after 3 failures) and no passive health check on node1, so a node whose database died keeps taking requests for about 6 s.",
      // The HTTP check still sees the dead database, three checks 2 s apart later: the outage is ~4-6 s.
      drills: [{ drill: "kill-node1-db", breaks: ["failover"] }],
    },
    ["default-server inter 500ms fastinter 200ms downinter 1s rise 2 fall 2 ", "default-server "],
    [" check observe layer7 error-limit 1 on-error mark-down", " check"],
  ),
  haproxyMutant(
    {
      id: "haproxy-node2-not-backup",
      title: "node2 is an active server, not the backup (both masters take writes)",
      layer: "haproxy",
      profile: "hardened",
      why: 'The operator removes `backup` from node2 to "use both nodes", so HAProxy balances writes across both masters and the failover the stack is built around never happens.',
      // The steady state before the fault sees half of the successes served by node2; were it to pass,
      // HAProxyRunningOnBackup could still never fire (there is no backup server).
      drills: [
        {
          drill: "crash-node1",
          breaks: ["steady-state-before#not-on-primary", "alert:HAProxyRunningOnBackup#fires"],
        },
      ],
    },
    [/^([ \t]*server node2 node2-app:8000 check) backup$/m, "    server node2 node2-app:8000 check"],
  ),
];
