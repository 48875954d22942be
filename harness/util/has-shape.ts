/** What a field of a module's export must be, as `typeof` (or "array") says it. */
export type FieldKind = "string" | "function" | "object" | "array";

/**
 * Whether a value loaded from a file (a registry's module) has the fields its kind needs: a guard
 * that checks the shape, not the types within, so a file of another kind is refused by name early.
 */
export function hasShape<T>(value: unknown, fields: Readonly<Record<string, FieldKind>>): value is T {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return Object.entries(fields).every(([key, kind]) =>
    kind === "array" ? Array.isArray(v[key]) : typeof v[key] === kind && v[key] !== null,
  );
}
