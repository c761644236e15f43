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

/** Each API as messages name it. */
export const SERVICE_NAME: Record<ServiceName, string> = { rbac: "the RBAC API", cedar: "the Cedar policy API" };

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

  /** What this error was built from, redacted already (no `redact`): `withNote` builds from it, so no field is lost. */
  readonly #init: HttpErrorInit;

  /** The same error with a sentence added to the server's message (e.g. why accessctl did not wait). */
  withNote(note: string): HttpError {
    // Built from the redacted init: no unredacted input is kept on an error.
    return new HttpError({ ...this.#init, serverMessage: this.serverMessage ? `${this.serverMessage}; ${note}` : note });
  }

  constructor(init: HttpErrorInit) {
    const { redact, ...fields } = init;
    const clean = redact ?? ((text: string) => text);
    const redacted: HttpErrorInit = {
      ...fields,
      path: clean(init.path),
      serverMessage: init.serverMessage === null ? null : clean(init.serverMessage),
      ...(init.baseUrl !== undefined ? { baseUrl: clean(init.baseUrl) } : {}),
      ...(init.route !== undefined ? { route: clean(init.route) } : {}),
      ...(init.unreachable !== undefined ? { unreachable: clean(init.unreachable) } : {}),
    };
    const { path, serverMessage } = redacted;
    // No `cause` is kept on purpose: an underlying error may carry request details, and anything reachable from
    // this object may end up printed or logged.
    super(
      redacted.unreachable !== undefined
        ? `[${init.method}] ${path}: not answered: ${init.service ? SERVICE_NAME[init.service] : "the API"} stopped answering (${redacted.unreachable})`
        : formatHttpError(init.kind, init.method, path, init.status, serverMessage, init.code ?? null),
    );
    this.#init = redacted;
    this.kind = init.kind;
    this.service = init.service;
    this.baseUrl = redacted.baseUrl;
    this.route = redacted.route;
    this.method = init.method;
    this.path = path;
    this.status = init.status;
    this.serverMessage = serverMessage;
    this.serverCode = init.serverCode ?? null;
    this.code = init.code ?? null;
    this.outcome = init.outcome;
    this.retryAfterMs = init.retryAfterMs;
    this.unreachable = redacted.unreachable;
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
