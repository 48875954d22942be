/** Sums the samples of one metric in Prometheus text format whose labels include `match`. */
export function sumSamples(text: string, name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelPart = line.slice(name.length).match(/^\{([^}]*)\}/)?.[1] ?? "";
    const labels = Object.fromEntries([...labelPart.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(match).every(([k, v]) => labels[k] === v)) {
      sum += Number(line.trim().split(/\s+/).pop());
    }
  }
  return sum;
}
