/**
 * Keyset pagination for the Cedar lists (`limit` / `cursor`). The cursor is the sort key of the last item
 * served, base64url-encoded: opaque to clients, and stable when items are added or deleted between pages
 * (an offset would skip or repeat items then).
 */

import { queryInteger } from "./body-fields.js";
import { badRequest } from "./errors.js";
import { MAX_PAGE_SIZE } from "./options.js";

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

/**
 * `limit` above the maximum is clamped (ours): the client follows next_cursor either way. The emulator's
 * `--page-size` is both the default and the most it serves per page, so `--page-size 1` makes every client walk
 * every page, whatever limit it asks for.
 */
export function readLimit(query: URLSearchParams, pageSize: number): number {
  const limit = queryInteger(query, "limit", 1, Number.MAX_SAFE_INTEGER) ?? pageSize;
  return Math.min(limit, pageSize, MAX_PAGE_SIZE);
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor(query: URLSearchParams, shape: readonly ("string" | "number")[]): unknown[] | undefined {
  const raw = query.get("cursor");
  if (raw === null || raw === "") return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((k, i) => typeof k !== shape[i])) {
    throw badRequest("invalid cursor; pass back next_cursor exactly as a previous page returned it");
  }
  return key;
}

/** `sorted` must be in key order; items strictly after `after` are served. */
export function pageOf<T, V>(
  sorted: readonly T[],
  limit: number,
  isAfter: (item: T) => boolean,
  keyOf: (item: T) => (string | number)[],
  view: (item: T) => V,
): Page<V> {
  const start = sorted.findIndex(isAfter);
  const rest = start < 0 ? [] : sorted.slice(start);
  const items = rest.slice(0, limit);
  const hasMore = rest.length > limit;
  const last = items[items.length - 1];
  return {
    data: items.map(view),
    next_cursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
    has_more: hasMore,
  };
}
