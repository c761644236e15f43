/**
 * Tiny HTTP helpers for the emulator tests: one call = one request over real HTTP, answering the status, the
 * parsed JSON body and the headers, or `{status: 0, reset: true}` when the connection was reset.
 */

export const RBAC_KEY = "local-rbac-key";
export const CEDAR_KEY = "local-cedar-key";
export const TENANT = "00000000-0000-4000-8000-000000000001";

export interface Answer<T = any> {
  status: number;
  body: T;
  headers: Headers;
  reset?: boolean;
}

export type Caller = <T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer<T>>;

async function call(url: string, base: Record<string, string>, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...base, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, init);
  } catch {
    return { status: 0, body: undefined, headers: new Headers(), reset: true };
  }
  const text = await res.text();
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text), headers: res.headers };
}

export function rbacCaller(url: string, key = RBAC_KEY): Caller {
  return (method, path, body, headers) => call(url, { CONFIDENT_API_KEY: key }, method, path, body, headers);
}

export function cedarCaller(url: string, key = CEDAR_KEY, tenant = TENANT): Caller {
  return (method, path, body, headers) => call(url, { "x-api-key": key, "x-tenant-id": tenant }, method, path, body, headers);
}
