/**
 * JSON with object keys sorted at every level: the same value always gives the same text, whatever the order in
 * which its keys were set. For digests and checksums (a hash needs text); to compare two values, use
 * `deepEqual` (`deep-equal.ts`) instead.
 */

/** `undefined` members are left out, as JSON.stringify does. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
}
