/**
 * A section placed into a rendered page ahead of the drills (they are its evidence), with a link in
 * the page's navigation: the mutants' score, the exploration. A page without those landmarks gets it
 * at the end of its main part.
 */
export function withLeadingSection(page: string, section: string, id: string, label: string): string {
  const withNav = page.replace("<nav>", `<nav><a href="#${id}">${label}</a>`);
  for (const marker of ["<h2>Drills</h2>", "</main>"]) {
    const at = withNav.indexOf(marker);
    if (at >= 0) return withNav.slice(0, at) + section + withNav.slice(at);
  }
  return withNav + section;
}
