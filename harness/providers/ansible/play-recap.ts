/** One host's line of ansible-playbook's PLAY RECAP. */
export interface HostRecap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

const FIELDS = ["ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"] as const;

/**
 * Reads the PLAY RECAP of an ansible-playbook run (default callback). Throws when there is none: a
 * run that never reached its recap did not deploy anything we could judge.
 */
export function parsePlayRecap(output: string): Record<string, HostRecap> {
  const at = output.lastIndexOf("PLAY RECAP");
  if (at < 0) throw new Error("no PLAY RECAP in the ansible-playbook output");
  const recap: Record<string, HostRecap> = {};
  for (const line of output.slice(at).split("\n").slice(1)) {
    const m = /^(\S+)\s*:\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    const counts = Object.fromEntries([...m[2]!.matchAll(/(\w+)=(\d+)/g)].map(([, k, v]) => [k!, Number(v)]));
    if (!FIELDS.every((f) => f in counts)) continue;
    recap[m[1]!] = Object.fromEntries(FIELDS.map((f) => [f, counts[f]!])) as unknown as HostRecap;
  }
  if (Object.keys(recap).length === 0) throw new Error("PLAY RECAP lists no host");
  return recap;
}

export function totalChanged(recap: Record<string, HostRecap>): number {
  return Object.values(recap).reduce((n, h) => n + h.changed, 0);
}
