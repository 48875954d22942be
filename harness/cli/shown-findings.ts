/** How many findings a person reads per drill or schedule; the rest are in the report (and in --json). */
const SHOWN_FINDINGS = 8;

/** The unmet expectations first (each sums up a checker), then the checkers' own findings, capped. */
export function shownFindings(findings: readonly string[]): string[] {
  const ordered = [
    ...findings.filter((f) => f.startsWith("expected:")),
    ...findings.filter((f) => !f.startsWith("expected:")),
  ];
  const cut = (f: string) => (f.length > 400 ? `${f.slice(0, 400)}…` : f);
  if (ordered.length <= SHOWN_FINDINGS) return ordered.map(cut);
  return [
    ...ordered.slice(0, SHOWN_FINDINGS).map(cut),
    `… and ${ordered.length - SHOWN_FINDINGS} more finding(s) in the report`,
  ];
}
