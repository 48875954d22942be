/** A figure for people: `–` for none, up to 3 significant decimals. */
export function fmt(n: number | null | undefined, unit = ""): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  const s = Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);
  return unit ? `${s} ${unit}` : s;
}
