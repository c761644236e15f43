/**
 * Small readers for JSON answers. They check only the fields accessctl uses and ignore every other field, since
 * both APIs may grow fields at any time (docs/services.md, its opening section). A missing or mistyped field
 * throws `ShapeError`, which the HTTP client turns into an `HttpError` of kind "protocol" naming the request.
 */

export class ShapeError extends Error {
  override readonly name = "ShapeError";
}

export type Obj = Readonly<Record<string, unknown>>;

export function obj(value: unknown, where: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ShapeError(`${where} is not an object`);
  return value as Obj;
}

export function arr(value: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(`${where} is not an array`);
  return value;
}

export function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new ShapeError(`${where}.${key} is not a string`);
  return v;
}

/** Absent and null both read as null: an optional text field the service may leave out. */
export function strOrNull(o: Obj, key: string, where: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new ShapeError(`${where}.${key} is not a string or null`);
  return v;
}

export function num(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ShapeError(`${where}.${key} is not a number`);
  return v;
}

export function numOrNull(o: Obj, key: string, where: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ShapeError(`${where}.${key} is not a number or null`);
  return v;
}

export function boolOr(o: Obj, key: string, fallback: boolean, where: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") throw new ShapeError(`${where}.${key} is not a boolean`);
  return v;
}

/** `key` holding an array of objects, each read by `item`. Absent reads as `[]` only when `optional`. */
export function list<T>(o: Obj, key: string, where: string, item: (v: Obj, where: string) => T, optional = false): T[] {
  const v = o[key];
  if (optional && (v === undefined || v === null)) return [];
  return arr(v, `${where}.${key}`).map((entry, i) => {
    const at = `${where}.${key}[${i}]`;
    return item(obj(entry, at), at);
  });
}
