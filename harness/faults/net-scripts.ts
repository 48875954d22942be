// The nft and tc commands both levels' plans are made of (container-net-plan.ts, server-net-plan.ts),
// written once so that a container's namespace and a server get the same rules and the same heal.

// All firedrill rules live in one nft table per namespace or server, so healing is one idempotent delete.
export const TABLE = "inet firedrill";
export const dropTable = `nft delete table ${TABLE} 2>/dev/null; true`;
export const tcDel = (dev: string) => `tc qdisc del dev ${dev} root 2>/dev/null; true`;

/** nft's numgen compares within 0-99, so "everything" is a plain drop rather than "< 100". */
export const lossRule = (percent: number) =>
  percent >= 100
    ? "meta l4proto tcp drop;"
    : `meta l4proto tcp numgen random mod 100 < ${Math.round(percent)} drop;`;

export const tbf = (dev: string, kbit: number) =>
  `tc qdisc replace dev ${dev} root tbf rate ${kbit}kbit burst 16kbit latency 200ms`;
export const netem = (dev: string, ms: number) => `tc qdisc replace dev ${dev} root netem delay ${ms}ms`;
