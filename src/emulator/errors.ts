/**
 * One error type for both APIs; the HTTP layer renders it in the envelope of the API that was called
 * (RBAC: `{success: false, error}`; Cedar: `{code, message, details?}`).
 */

export type ErrorCode =
  | "invalid_request"
  | "invalid_cedar"
  | "unauthenticated"
  | "tenant_mismatch"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "unprocessable"
  | "payload_too_large"
  | "rate_limited"
  | "internal"
  | "unavailable";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export type Api = "rbac" | "cedar";

export function errorBody(api: Api, error: ApiError): unknown {
  if (api === "rbac") return { success: false, error: error.message };
  return error.details === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, details: error.details };
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new ApiError(400, "invalid_request", message, details);
export const notFound = (message: string) => new ApiError(404, "not_found", message);
export const conflict = (message: string) => new ApiError(409, "conflict", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const unprocessable = (message: string) => new ApiError(422, "unprocessable", message);
