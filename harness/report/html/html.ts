/**
 * HTML built only through `html\`…\``: every interpolated value is escaped unless it is already
 * `SafeHtml` (made by this tag), so text from histories, findings and logs cannot inject markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): SafeHtml {
  let out = strings[0]!;
  parts.forEach((p, i) => {
    out += render(p) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Markup that is known safe because firedrill wrote it (CSS, a fixed script): never data. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** An id usable in a URL fragment and an HTML id attribute. */
export function anchor(...parts: string[]): string {
  return parts.join("-").replace(/[^A-Za-z0-9_-]/g, "_");
}
