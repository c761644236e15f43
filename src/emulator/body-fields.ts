/**
 * Field readers shared by both APIs' body validation. Each throws a 400 ApiError naming the field, so a client
 * learns exactly which part of its body is wrong.
 */

import { badRequest } from "./errors.js";

export type Body = Record<string, unknown>;

export function requireObject(body: unknown): Body {
  if (body === undefined) throw badRequest("missing request body (a JSON object)");
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("the request body must be a JSON object");
  }
  return body as Body;
}

const MAX_NAME = 256;

export function requiredName(body: Body, field = "name"): string {
  const v = body[field];
  if (v === undefined || v === null) throw badRequest(`missing field: ${field}`);
  if (typeof v !== "string" || v.trim() === "") throw badRequest(`${field} must be a non-empty string`);
  // Characters are code points (as JSON Schema's maxLength counts them, so `validate` agrees): an emoji is one.
  if ([...v].length > MAX_NAME) throw badRequest(`${field} must be at most ${MAX_NAME} characters`);
  return v;
}

/** undefined = absent; null allowed. */
export function optionalNullableString(body: Body, field: string): string | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v;
  if (typeof v !== "string") throw badRequest(`${field} must be a string or null`);
  return v;
}

export function requiredIdList(body: Body, field: string): string[] {
  const v = body[field];
  if (v === undefined || v === null) throw badRequest(`missing field: ${field}`);
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw badRequest(`${field} must be an array of strings`);
  }
  const ids = v as string[];
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw badRequest(`${field} lists ${JSON.stringify(id)} twice`);
    seen.add(id);
  }
  return ids;
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw badRequest(`${field} must be a boolean`);
  return v;
}

export function optionalInteger(body: Body, field: string, min?: number): number | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw badRequest(`${field} must be an integer`);
  if (min !== undefined && v < min) throw badRequest(`${field} must be ≥ ${min}`);
  return v;
}

export function optionalNullableInteger(body: Body, field: string, min?: number): number | null | undefined {
  if (body[field] === null) return null;
  return optionalInteger(body, field, min);
}

/** Query integer: undefined when absent, 400 when present but not an integer in [min, max]. */
export function queryInteger(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const n = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw badRequest(`query parameter ${name} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}
