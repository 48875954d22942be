/** What a field of a module's export must be, as `typeof` (or "array") says it. */
export type FieldKind = "string" | "function" | "object" | "array";

/**
 * Whether a value loaded from a file (a registry's module) has the fields its kind needs, named by
 * what each must be: a guard that checks the shape, not the types within, so a file of another kind
 * is refused by name early.
 */
export function hasShape<T>(
  value: unknown,
  fields: Readonly<Partial<Record<FieldKind, readonly string[]>>>,
): value is T {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const is = (kind: FieldKind, x: unknown) =>
    kind === "array" ? Array.isArray(x) : typeof x === kind && x !== null;
  return Object.entries(fields).every(([kind, keys]) => keys.every((key) => is(kind as FieldKind, v[key])));
}
