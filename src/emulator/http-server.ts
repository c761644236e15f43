/**
 * The request pipeline shared by both APIs, in this order:
 *   read body (413) → rate limit (429) → auth (401 / 403 tenant_mismatch) → route (404) → fault before commit →
 *   Content-Type and JSON (400) → handler (commits synchronously) → wait until durable → fault after commit →
 *   latency floor → answer + log.
 * Every failure is answered in the envelope of the API the path belongs to; nothing a client sends can throw
 * out of this function.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { KeyCheck } from "./auth.js";
import { cedarRoutes } from "./cedar-routes.js";
import { ApiError, errorBody, type Api } from "./errors.js";
import { FaultInjector, type Fault } from "./faults.js";
import { readBody, resetConnection, sendJson, sleep } from "./http-io.js";
import type { ResolvedOptions } from "./options.js";
import { TokenBucket } from "./rate-limit.js";
import { rbacRoutes } from "./rbac-routes.js";
import type { RequestLog } from "./request-log.js";
import { matchRoute, type Reply } from "./router.js";
import type { Durability } from "./state-file.js";
import type { Store } from "./store.js";

export interface ServerDeps {
  store: Store;
  durability: Durability;
  options: ResolvedOptions;
  log: RequestLog;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** `application/json`, with or without parameters (`; charset=utf-8`), in any case. */
function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

function apiOf(path: string): Api {
  return path === "/v1/policies" || path.startsWith("/v1/policies/") ? "cedar" : "rbac";
}

export function createEmulatorServer(deps: ServerDeps): { server: Server; inflight: Set<Promise<void>> } {
  const { store, durability, options, log } = deps;
  const rbacKey = new KeyCheck(options.rbacKey);
  const cedarKey = new KeyCheck(options.cedarKey);
  const bucket = options.rateLimit === undefined ? undefined : new TokenBucket(options.rateLimit);
  const faults = new FaultInjector(options.faultRate, options.seed);
  const inflight = new Set<Promise<void>>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const time = new Date().toISOString();
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1));
    const api = apiOf(path);

    const finish = async (status: number, body: unknown, headers: Record<string, string> = {}, fault?: Fault) => {
      // The latency floor applies to every answer, errors and faults included, as a slow network would.
      // Node truncates fractional timer delays and may fire on the boundary: loop until the floor is met.
      for (let left = options.latencyMs - (performance.now() - started); left > 0; left = options.latencyMs - (performance.now() - started)) {
        await sleep(Math.ceil(left));
      }
      if (fault?.kind === "reset") resetConnection(res);
      else sendJson(res, status, body, headers);
      const entry = {
        time,
        method,
        path: rawUrl,
        status: fault?.kind === "reset" ? 0 : status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      };
      log.add(fault ? { ...entry, fault: `${fault.when}-${fault.kind}` } : entry);
    };
    const fail = (error: ApiError, headers: Record<string, string> = {}) =>
      finish(error.status, errorBody(api, error), headers);

    const bodyResult = await readBody(req);
    if (bodyResult.kind === "aborted") return;
    if (bodyResult.kind === "too-large") {
      return fail(new ApiError(413, "payload_too_large", "request body exceeds 1 MB"), { connection: "close" });
    }

    const retryAfter = bucket?.take();
    if (retryAfter !== undefined) {
      return fail(new ApiError(429, "rate_limited", `rate limit of ${options.rateLimit} requests/s exceeded`), {
        "retry-after": String(retryAfter),
      });
    }

    if (api === "rbac") {
      if (!rbacKey.matches(req.headers["confident_api_key"])) {
        return fail(new ApiError(401, "unauthenticated", "missing or invalid CONFIDENT_API_KEY"));
      }
    } else {
      if (!cedarKey.matches(req.headers["x-api-key"])) {
        return fail(new ApiError(401, "unauthenticated", "missing or invalid X-API-Key"));
      }
      if (req.headers["x-tenant-id"] !== options.tenant) {
        return fail(new ApiError(403, "tenant_mismatch", "X-Tenant-ID does not match the tenant of this API key"));
      }
    }

    const match = matchRoute(api === "rbac" ? rbacRoutes : cedarRoutes, method, path);
    if (match.kind === "none") return fail(new ApiError(404, "not_found", `no route for ${method} ${path}`));

    const broken = durability.broken;
    if (broken) return fail(new ApiError(503, "unavailable", `the emulator cannot persist its state: ${broken.message}`));

    const fault = faults.decide(method, rawUrl, bodyResult.text);
    if (fault?.when === "before") {
      const status = fault.kind === "503" ? 503 : 500;
      const error = new ApiError(status, status === 503 ? "unavailable" : "internal", `injected fault (before commit)`);
      return finish(status, errorBody(api, error), {}, fault);
    }

    let body: unknown;
    if (WRITE_METHODS.has(method) && bodyResult.text.trim() !== "") {
      // Both vendors: requests with a body send `Content-Type: application/json`.
      if (!isJson(req.headers["content-type"])) {
        return fail(new ApiError(400, "invalid_request", "a request body must be sent with Content-Type: application/json"));
      }
      try {
        body = JSON.parse(bodyResult.text);
      } catch (error) {
        return fail(new ApiError(400, "invalid_request", `malformed JSON body: ${(error as Error).message}`));
      }
    }

    let reply: Reply;
    try {
      reply = match.route.handler({ store, params: match.params, query, body, options, now: time });
    } catch (error) {
      if (error instanceof ApiError) return fail(error);
      return fail(new ApiError(500, "internal", `emulator bug: ${(error as Error).message}`));
    }
    try {
      // Answer only with what is durable: this request's own write, and anything it read.
      await durability.waitDurable(store.seq);
    } catch (error) {
      return fail(new ApiError(503, "unavailable", (error as Error).message));
    }
    if (fault?.when === "after") {
      const error = new ApiError(500, "internal", "injected fault (after commit)");
      return finish(500, errorBody(api, error), {}, fault);
    }
    return finish(reply.status, reply.body);
  }

  const server = createServer((req, res) => {
    const done = handle(req, res)
      .catch(() => {
        // Last resort: an answer that could not even be rendered.
        if (!res.headersSent) sendJson(res, 500, { success: false, error: "emulator bug" });
      })
      .finally(() => inflight.delete(done));
    inflight.add(done);
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });
  // Clients keep pooled connections for seconds; a short server timeout would make them race a closing socket.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  return { server, inflight };
}
