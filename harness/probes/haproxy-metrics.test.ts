import { describe, expect, it } from "vitest";
import { serverStates } from "./haproxy-metrics.ts";

// Recorded from HAProxy 2.6's exporter (trimmed).
const recorded = `
# HELP haproxy_server_status Current status of the service, per state label value.
haproxy_server_status{proxy="app",server="node1",state="DOWN"} 0
haproxy_server_status{proxy="app",server="node1",state="UP"} 1
haproxy_server_status{proxy="app",server="node2",state="UP"} 0
haproxy_server_status{proxy="app",server="node2",state="DOWN"} 1
haproxy_server_status{proxy="stats",server="x",state="UP"} 1
`;

describe("serverStates", () => {
  it("reads the state whose gauge is 1, per server of the proxy", () => {
    expect(serverStates(recorded)).toEqual({ node1: "UP", node2: "DOWN" });
  });
});
