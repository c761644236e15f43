/**
 * A tiny path router (`/v1/projects/:projectId/roles/:roleId`): exact segment counts, no regexes, so a path
 * can never match two routes and matching stays linear in the number of routes (under 30).
 */

import type { ResolvedOptions } from "./options.js";
import type { Store } from "./store.js";

export interface RouteContext {
  store: Store;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON for POST/PUT/PATCH; undefined when the request had no body. */
  body: unknown;
  options: ResolvedOptions;
  /** ISO timestamp of this request (one per request, so a write stamps all its records alike). */
  now: string;
}

export interface Reply {
  status: number;
  /** undefined for 204. */
  body?: unknown;
}

export type RouteHandler = (ctx: RouteContext) => Reply;

export interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

export function route(method: string, pattern: string, handler: RouteHandler): Route {
  return { method, segments: pattern.split("/").filter(Boolean), handler };
}

export type Match =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "none" };

export function matchRoute(routes: readonly Route[], method: string, path: string): Match {
  const parts = path.split("/").filter(Boolean);
  for (const r of routes) {
    if (r.method !== method || r.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const seg = r.segments[i] ?? "";
      const part = parts[i] ?? "";
      if (seg.startsWith(":")) {
        const value = safeDecode(part);
        if (value === undefined) ok = false;
        else params[seg.slice(1)] = value;
      } else if (seg !== part) {
        ok = false;
      }
    }
    if (ok) return { kind: "found", route: r, params };
  }
  return { kind: "none" };
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
