/**
 * The one HTTP layer: JSON in and out over an injected undici dispatcher, a concurrency limiter per API that
 * backs off on 429, retries by the caller's rules, and errors that say what was called and whether it may have
 * been applied. Keys pass through headers only and are redacted from every error this layer raises.
 */
import type { Dispatcher } from "undici";
import { ApiHealth } from "./api-health.js";
import { AdaptiveLimiter, defaultSleep, type Slot } from "./concurrency.js";
import { HttpError, statusLine, type HttpErrorInit, type HttpOutcome, type ServiceName } from "./http-error.js";
import { DEFAULT_RETRY_POLICY, isRetryableRead, isRetryableWrite, parseRetryAfter, withRetry, type RetryPolicy } from "./retry.js";
import { redactor } from "./redact.js";
import { ShapeError } from "./wire.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * `idempotent`: retried on 429, transient 5xx and network errors (the default for GET and DELETE).
 * `not-applied`: retried only when the server certainly did not act (the default for POST, PUT and PATCH).
 * `none`: never retried.
 */
export type RetryMode = "idempotent" | "not-applied" | "none";

export interface ServerError {
  message: string | null;
  code: string | null;
}

export interface HttpClientOptions {
  /** May carry a path prefix (`https://host/api`); request paths are appended to it. */
  baseUrl: string;
  /** Which API this client speaks, named in its errors. */
  service?: ServiceName;
  /** The inactivity timeout of one request (the dispatcher enforces it; fail-fast counts in it). Default 30 s. */
  timeoutMs?: number;
  /** How requests reach the service, in words (see `proxyRoute`), named in network errors' hints. */
  route?: string;
  /** Sent on every request: the API's auth headers. */
  headers: Readonly<Record<string, string>>;
  /** Values that must never appear in an error (the keys); header values are not assumed secret (a tenant id is not). */
  secrets: readonly string[];
  dispatcher: Dispatcher;
  /** Most requests in flight (default 8), or a limiter to share. */
  concurrency?: number | AdaptiveLimiter;
  retry?: Partial<RetryPolicy>;
  /** Reads the API's error body; the default takes `error` (RBAC) or `message` and `code` (Cedar). */
  readError?: (body: unknown) => ServerError;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  onRetry?: (info: { method: HttpMethod; path: string; error: HttpError; delayMs: number }) => void;
}

export interface RequestOptions<T> {
  query?: Readonly<Record<string, string | number | undefined>>;
  /** Sent as JSON. */
  body?: unknown;
  /** Turns the JSON answer into what the caller wants; a `ShapeError` becomes a "protocol" `HttpError`. */
  parse?: (body: unknown) => T;
  retry?: RetryMode;
}

export interface HttpClient {
  request<T = unknown>(method: HttpMethod, path: string, options?: RequestOptions<T>): Promise<T>;
  readonly limiter: AdaptiveLimiter;
  /** Whether this API still answers; `health.stop()` gives it up (an interrupt past its budget). */
  readonly health: ApiHealth;
  /** Redacts this client's secrets; for callers that build messages of their own. */
  readonly redact: (text: string) => string;
}

/**
 * Network errors raised while connecting: the request was never sent, so even a write is "not-applied". Any other
 * network error (reset, timeout, a socket closed mid-answer) may come after the server acted.
 */
const BEFORE_SEND_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = new URL(options.baseUrl);
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new TypeError(`not an http(s) URL: ${base.protocol}`);
  const origin = base.origin;
  const prefix = base.pathname.replace(/\/+$/, "");
  const clean = redactor(options.secrets);
  const target: Pick<HttpErrorInit, "service" | "baseUrl" | "route"> = {
    ...(options.service ? { service: options.service } : {}),
    ...(options.route ? { route: options.route } : {}),
    baseUrl: options.baseUrl,
  };
  const limiter =
    options.concurrency instanceof AdaptiveLimiter
      ? options.concurrency
      : new AdaptiveLimiter({ max: options.concurrency, sleep: options.sleep, now: options.now });
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const readError = options.readError ?? readAnyError;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const health = new ApiHealth({ timeoutMs, now });

  /** The API was given up: this request is not sent, or (in flight) its answer is not waited for. */
  const unreachableError = (method: HttpMethod, shownPath: string, outcome: HttpOutcome): HttpError =>
    new HttpError({ ...target, kind: "network", method, path: shownPath, status: null, serverMessage: null, code: null, outcome, unreachable: health.unreachable?.reason ?? "given up", redact: clean });

  async function attempt(method: HttpMethod, shownPath: string, body: string | undefined, slot: Slot) {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (body !== undefined) headers["content-type"] = "application/json";
    const watch = health.begin();
    if (watch.signal.aborted) {
      watch.failed("not sent");
      throw unreachableError(method, shownPath, "not-applied");
    }
    const lost = (error: unknown, outcome?: HttpOutcome): HttpError => {
      // Aborted by the health check: the request may have reached the server, so a write's outcome is unknown.
      if (watch.signal.aborted) return unreachableError(method, shownPath, method === "GET" ? "not-applied" : "unknown");
      const e = networkError(method, shownPath, error, clean, target, timeoutMs, outcome);
      watch.failed(e.message);
      return e;
    };
    let response: Dispatcher.ResponseData;
    try {
      response = await options.dispatcher.request({ origin, path: prefix + shownPath, method, headers, body, signal: watch.signal });
    } catch (error) {
      throw lost(error);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      // The status line arrived, so the server got the request: whatever it did, the outcome is unknown.
      throw lost(error, "unknown");
    }
    const status = response.statusCode;
    if (GATEWAY_FAILURES.has(status)) watch.failed(statusLine(status));
    else watch.answered();
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"], now());
    if (status === 429) limiter.rateLimited(slot, retryAfterMs);
    else if (status < 500) limiter.succeeded();
    if (status >= 200 && status < 300) return { status, text, contentType: headerText(response.headers["content-type"]) };
    const server = readError(tryJson(text) ?? text);
    throw new HttpError({
      ...target,
      kind: "status",
      method,
      path: shownPath,
      status,
      serverMessage: server.message,
      serverCode: server.code,
      outcome: outcomeOfStatus(status),
      retryAfterMs,
      redact: clean,
    });
  }

  async function request<T>(method: HttpMethod, path: string, req: RequestOptions<T> = {}): Promise<T> {
    const shownPath = path + queryString(req.query);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const mode = req.retry ?? (method === "GET" || method === "DELETE" ? "idempotent" : "not-applied");
    const shouldRetry = mode === "idempotent" ? isRetryableRead : mode === "not-applied" ? isRetryableWrite : () => false;
    const answer = await withRetry(() => limiter.run((slot) => attempt(method, shownPath, body, slot)), {
      policy,
      shouldRetry,
      sleep,
      random,
      onRetry: ({ error, delayMs }) => {
        if (error instanceof HttpError) options.onRetry?.({ method, path: shownPath, error, delayMs });
      },
    });
    const outcome: HttpOutcome = method === "GET" ? "not-applied" : "unknown";
    const protocolError = (message: string) =>
      new HttpError({ ...target, kind: "protocol", method, path: shownPath, status: answer.status, serverMessage: message, outcome, redact: clean });
    let json: unknown = undefined;
    if (answer.text.trim() !== "") {
      try {
        json = JSON.parse(answer.text);
      } catch {
        throw protocolError(`the answer is not the API's JSON (got ${answer.contentType?.split(";")[0] ?? "no content type"})`);
      }
    }
    if (req.parse === undefined) return json as T;
    try {
      return req.parse(json);
    } catch (error) {
      if (error instanceof ShapeError) throw protocolError(error.message);
      throw error;
    }
  }

  return { request, limiter, health, redact: clean };
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** A proxy's or gateway's "the service behind me did not answer": counted by fail-fast like a timeout. */
const GATEWAY_FAILURES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * Every 4xx means the server refused without acting (429 included: rate limited before processing). A 5xx may
 * come after the change was made — a proxy's 502/503/504 after the upstream committed, or a 500 raised after the
 * commit — so it is "unknown": apply lists again and adopts instead of repeating the write.
 */
export function outcomeOfStatus(status: number): HttpOutcome {
  return status >= 400 && status < 500 ? "not-applied" : "unknown";
}

function networkError(
  method: HttpMethod,
  path: string,
  error: unknown,
  clean: (text: string) => string,
  target: Pick<HttpErrorInit, "service" | "baseUrl" | "route">,
  timeoutMs: number,
  outcome?: HttpOutcome,
): HttpError {
  const code = errorCode(error);
  const timedOut = code !== undefined && TIMEOUT_CODES.has(code);
  const message = timedOut ? `nothing received for ${Math.round(timeoutMs / 1000)} s (the --timeout)` : error instanceof Error && error.message !== "" ? error.message : null;
  return new HttpError({
    ...target,
    kind: "network",
    method,
    path,
    status: null,
    serverMessage: message,
    code: code ?? null,
    outcome: outcome ?? (code !== undefined && BEFORE_SEND_CODES.has(code) ? "not-applied" : "unknown"),
    redact: clean,
  });
}

/** Network error codes of a timeout (connecting, waiting for the headers, or for the rest of the body). */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** The code of an error, looking into `AggregateError` (happy eyeballs) and `cause`. */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 3) return undefined;
  const e = error as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === "string") return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = errorCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return errorCode(e.cause, depth + 1);
}

function readAnyError(body: unknown): ServerError {
  if (typeof body === "string") return { message: shortText(body), code: null };
  if (typeof body !== "object" || body === null) return { message: null, code: null };
  const b = body as Record<string, unknown>;
  const message = typeof b["error"] === "string" ? b["error"] : typeof b["message"] === "string" ? b["message"] : null;
  return { message, code: typeof b["code"] === "string" ? b["code"] : null };
}

/** A non-JSON error body (a proxy's page): one line, bounded, so a megabyte of HTML never becomes a message. */
export function shortText(text: string): string | null {
  const line = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  if (line === "") return null;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function queryString(query: RequestOptions<unknown>["query"]): string {
  if (query === undefined) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
