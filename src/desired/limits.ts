/**
 * Limits enforced by `validate` (SPEC section 10): what the services refuse for size is refused before any write,
 * at its place. Names (1..256 characters) and durations (integers ≥ 1) are in the JSON Schema; this module
 * holds what a schema cannot say: `defaultDurationSeconds` ≤ `maxDurationSeconds`, and the size of each request
 * body accessctl would send (at most 1 MB, the emulator's limit: src/emulator/http-io.ts, a test keeps the two
 * equal). Ids are not known offline, so a body's size counts each id at a generous upper bound.
 */
import { diag, type Diagnostic, type SourcePosition } from "../diagnostics/diagnostic.js";
import type { PathItem } from "./yaml-file.js";

export const MAX_BODY_BYTES = 1024 * 1024;

/** An RBAC id as sent in a list (`"…",`): the RBAC API does not document its ids, so this is generous. */
export const RBAC_ID_BYTES = 64;
/** A Cedar id as sent in a list: a UUID (API.md), quoted, with its comma. */
export const CEDAR_ID_BYTES = 39;

/** One field of a request body: where it is written, and its bytes in the body (`"key":value,`). */
export interface BodyPart {
  path: readonly PathItem[];
  /** The JSON field's name on the wire. */
  wire: string;
  bytes: number;
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "null", "utf8");
}

export function field(path: readonly PathItem[], wire: string, value: unknown): BodyPart {
  return { path, wire, bytes: jsonBytes(wire) + 2 + jsonBytes(value) };
}

/**
 * The body's size is the sum of its parts (+ braces); over the limit, the problem is placed at the largest part,
 * which is the one to shorten.
 */
export function checkBody(
  request: string,
  parts: readonly BodyPart[],
  at: (path: readonly PathItem[]) => SourcePosition,
  address: string,
): Diagnostic | undefined {
  let total = 2;
  let largest: BodyPart | undefined;
  for (const p of parts) {
    total += p.bytes;
    if (!largest || p.bytes > largest.bytes) largest = p;
  }
  if (total <= MAX_BODY_BYTES || !largest) return undefined;
  return diag(
    "limit-body",
    `the request that ${request} would be ${total.toLocaleString("en-US")} bytes, over the services' limit of 1 MB (${MAX_BODY_BYTES.toLocaleString("en-US")} bytes); \`${largest.wire}\` alone is ${largest.bytes.toLocaleString("en-US")} bytes`,
    at(largest.path),
    { address, hint: `shorten \`${largest.wire}\` (or split the object): the service refuses the whole request (HTTP 413)` },
  );
}

/** `defaultDurationSeconds` above `maxDurationSeconds` (both written): the service refuses the policy. */
export function checkDurations(
  max: number,
  defaultSeconds: number | null | undefined,
  at: SourcePosition,
  address: string,
): Diagnostic | undefined {
  if (defaultSeconds === undefined || defaultSeconds === null || defaultSeconds <= max) return undefined;
  return diag("limit-duration", `\`defaultDurationSeconds\` (${defaultSeconds}) is greater than \`maxDurationSeconds\` (${max})`, at, {
    address,
    hint: "the default session length may not exceed the maximum: lower `defaultDurationSeconds` or raise `maxDurationSeconds`",
  });
}
