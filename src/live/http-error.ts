/**
 * The one error class of the HTTP layer. Its message reads like
 * `[PUT] /v1/organization/roles/r1: 409 Conflict — <server message>`, and `outcome` tells a caller whether a
 * write may have happened: "not-applied" means the server certainly did not act on it (safe to send again),
 * "unknown" means it may have (apply must list again and adopt, never blindly repeat a create).
 */
import { STATUS_CODES } from "node:http";
import { UserError } from "../errors/user-errors.js";

export type HttpOutcome = "not-applied" | "unknown";

/**
 * `status`: the server answered with a non-2xx status. `network`: no complete answer (connection refused,
 * reset, timeout). `protocol`: a 2xx answer accessctl cannot read (bad JSON, a missing field, pagination that
 * ends before its stated total).
 */
export type HttpErrorKind = "status" | "network" | "protocol";

/** Which API a request went to; the hints of describeError depend on it. */
export type ServiceName = "rbac" | "cedar";

export interface HttpErrorInit {
  kind: HttpErrorKind;
  /** The API and its base URL as configured (URLs never hold keys: keys travel in headers). */
  service?: ServiceName;
  baseUrl?: string;
  /** How requests reach the service, in words ("directly", "through the proxy …"), for hints. */
  route?: string;
  method: string;
  /** Path and query as sent, without the origin. */
  path: string;
  status: number | null;
  serverMessage: string | null;
  /** Machine code from the body when the API has one (Cedar: `not_found`, `tenant_mismatch`, …). */
  serverCode?: string | null;
  /** Network errors: the system or undici code, e.g. `ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`. */
  code?: string | null;
  outcome: HttpOutcome;
  /** From `Retry-After`, already converted to milliseconds. */
  retryAfterMs?: number;
  /** Set when the API was given up (fail-fast): why. The request was not sent, or its answer not waited for. */
  unreachable?: string;
  /** Applied to the whole message, so an echoed key never leaves this object. */
  redact?: (text: string) => string;
}

export class HttpError extends UserError {
  override readonly name = "HttpError";
  readonly kind: HttpErrorKind;
  readonly service: ServiceName | undefined;
  readonly baseUrl: string | undefined;
  readonly route: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
  readonly serverMessage: string | null;
  readonly serverCode: string | null;
  readonly code: string | null;
  readonly outcome: HttpOutcome;
  readonly retryAfterMs: number | undefined;
  readonly unreachable: string | undefined;

  /** The same error with a sentence added to the server's message (e.g. why accessctl did not wait). */
  withNote(note: string): HttpError {
    // Built from the fields, which are redacted already: no unredacted input is kept on an error.
    return new HttpError({
      kind: this.kind,
      method: this.method,
      path: this.path,
      status: this.status,
      serverMessage: this.serverMessage ? `${this.serverMessage}; ${note}` : note,
      serverCode: this.serverCode,
      code: this.code,
      outcome: this.outcome,
      ...(this.service ? { service: this.service } : {}),
      ...(this.baseUrl !== undefined ? { baseUrl: this.baseUrl } : {}),
      ...(this.route !== undefined ? { route: this.route } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.unreachable !== undefined ? { unreachable: this.unreachable } : {}),
    });
  }

  constructor(init: HttpErrorInit) {
    const clean = init.redact ?? ((text: string) => text);
    const serverMessage = init.serverMessage === null ? null : clean(init.serverMessage);
    const path = clean(init.path);
    // No `cause` is kept on purpose: an underlying error may carry request details, and anything reachable from
    // this object may end up printed or logged.
    super(
      init.unreachable !== undefined
        ? `[${init.method}] ${path}: not answered: ${init.service === "cedar" ? "the Cedar policy API" : init.service === "rbac" ? "the RBAC API" : "the API"} stopped answering (${clean(init.unreachable)})`
        : formatHttpError(init.kind, init.method, path, init.status, serverMessage, init.code ?? null),
    );
    this.kind = init.kind;
    this.service = init.service;
    this.baseUrl = init.baseUrl === undefined ? undefined : clean(init.baseUrl);
    this.route = init.route === undefined ? undefined : clean(init.route);
    this.method = init.method;
    this.path = path;
    this.status = init.status;
    this.serverMessage = serverMessage;
    this.serverCode = init.serverCode ?? null;
    this.code = init.code ?? null;
    this.outcome = init.outcome;
    this.retryAfterMs = init.retryAfterMs;
    this.unreachable = init.unreachable === undefined ? undefined : clean(init.unreachable);
  }
}

function formatHttpError(
  kind: HttpErrorKind,
  method: string,
  path: string,
  status: number | null,
  serverMessage: string | null,
  code: string | null,
): string {
  const head = `[${method}] ${path}:`;
  const detail = serverMessage === null || serverMessage === "" ? "" : ` — ${serverMessage}`;
  switch (kind) {
    case "status":
      return `${head} ${statusLine(status ?? 0)}${detail}`;
    case "network":
      return `${head} no response${code === null ? "" : ` (${code})`}${detail}`;
    case "protocol":
      return `${head} unexpected response${status === null ? "" : ` to ${statusLine(status)}`}${detail}`;
  }
}

export function statusLine(status: number): string {
  const text = STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}

export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}

/** A DELETE that answers 404 is done (docs/services.md#writes-whose-outcome-is-unknown); callers use this to say so. */
export function isNotFound(error: unknown): boolean {
  return error instanceof HttpError && error.kind === "status" && error.status === 404;
}
