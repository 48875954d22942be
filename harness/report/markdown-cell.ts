/** A markdown cell: one line, pipes escaped, no raw HTML (findings quote what the servers said). */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A markdown table row of cells. */
export const row = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
