/**
 * Fills `{{name}}` placeholders. A placeholder without a value is an error: it means the config
 * template and the harness disagree, and a silently empty value would start a broken lab.
 */
export function renderTemplate(
  template: string,
  values: Readonly<Record<string, string | number>>,
  source: string,
): string {
  const missing = new Set<string>();
  const out = template.replace(/\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return "";
    }
    return String(value);
  });
  if (missing.size > 0) {
    throw new Error(
      `${source}: no value for placeholder(s) ${[...missing].map((n) => `{{${n}}}`).join(", ")}`,
    );
  }
  return out;
}
