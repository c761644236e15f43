/**
 * One description of any failure, for every front end (the CLI prints it; the GitHub Action fails the step
 * with it): the exit code, one message, what to do next, and — only for bugs — that it is a bug. HTTP errors get
 * a hint by status and by API, naming the variable to fix; keys are never part of it (they travel in headers).
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { TIMEOUT_CODES } from "../live/http-client.js";
import { HttpError, SERVICE_NAME } from "../live/http-error.js";
import { TARGET_VARS } from "../live/targets.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { InvalidDesiredStateError, UserError } from "./user-errors.js";

export interface ErrorDescription {
  exitCode: ExitCode;
  message: string;
  hint?: string;
  /** For an invalid desired state: every problem, with its place. */
  diagnostics?: Diagnostic[];
  /** True only for a bug in accessctl. */
  internal: boolean;
  /** For bugs: the stack, printed only when ACCESSCTL_DEBUG=1. */
  stack?: string;
}

export const BUG_MESSAGE = "internal error (this is a bug in accessctl; please report it)";

export function describeError(e: unknown): ErrorDescription {
  if (e instanceof InvalidDesiredStateError) return { exitCode: e.exitCode, message: e.message, diagnostics: e.diagnostics, internal: false };
  if (e instanceof HttpError) {
    const hint = e.hint ?? httpHint(e);
    return { exitCode: e.exitCode, message: httpMessage(e), ...(hint ? { hint } : {}), internal: false };
  }
  if (e instanceof UserError) return { exitCode: e.exitCode, message: e.message, ...(e.hint ? { hint: e.hint } : {}), internal: false };
  const err = e instanceof Error ? e : new Error(String(e));
  return { exitCode: EXIT.error, message: `${BUG_MESSAGE}: ${err.message}`, internal: true, ...(err.stack ? { stack: err.stack } : {}) };
}

const V = TARGET_VARS;
const URL_VAR = { rbac: V.rbacUrl, cedar: V.cedarUrl } as const;

/** The HTTP error's own line, with the API and its URL in front: `the RBAC API at https://…: [GET] /v1/…: 401 …`. */
function httpMessage(e: HttpError): string {
  if (!e.service) return e.message;
  return `${SERVICE_NAME[e.service]}${e.baseUrl ? ` at ${e.baseUrl}` : ""}: ${e.message}`;
}

function httpHint(e: HttpError): string | undefined {
  const service = e.service;
  if (e.kind === "network") {
    const where = service ? `${URL_VAR[service]} (${e.baseUrl ?? "?"})` : "the target URL";
    const route = `requests go ${e.route ?? "directly, or through HTTPS_PROXY / NO_PROXY when set"}`;
    if (e.unreachable !== undefined) return `the service stopped answering: check ${where} is up and reachable from here (${route}), then run again (nothing is duplicated)`;
    if (e.code !== null && TIMEOUT_CODES.has(e.code)) {
      return `the service accepted the connection but did not answer in time: check ${where}; raise --timeout (or ACCESSCTL_TIMEOUT) if it is just slow`;
    }
    return `the service did not answer: check ${where} is the service's address and reachable from here (${route})`;
  }
  if (e.kind === "protocol") {
    return service ? `is this the API? check ${URL_VAR[service]} (${e.baseUrl ?? "?"}) is the API's root, not a web page or a proxy's` : undefined;
  }
  switch (e.status) {
    case 401:
      return service === "cedar"
        ? `check ${V.cedarKey}: ${SERVICE_NAME.cedar} did not accept the key`
        : `check ${V.rbacKey} holds an organization key (${SERVICE_NAME.rbac} does not accept a project key)`;
    case 403:
      if (e.serverCode === "tenant_mismatch") return `check ${V.cedarTenant}: it must be the tenant of ${V.cedarKey}`;
      return "the key is not allowed to do this; use a key with the rights to manage roles and policies";
    case 404:
      if (e.method === "GET" && service) return `a list was not found: ${URL_VAR[service]} must be the API's root, without /v1`;
      return "the object is gone: it was changed outside accessctl meanwhile; plan again";
    case 409:
      return "the service refused because of its current state; plan again to see it";
    case 429:
      return "the service is rate limiting; try again later or lower --concurrency";
    default:
      return e.status !== null && e.status >= 500 ? "the service failed; try again later (a re-run converges: nothing is duplicated)" : undefined;
  }
}
