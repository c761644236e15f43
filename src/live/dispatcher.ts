/**
 * The undici dispatcher shared by both API clients: keep-alive connections (a plan of 10,000 objects must not pay
 * a TCP and TLS handshake per request), bounded timeouts, and `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` honoured.
 */
import { EnvHttpProxyAgent, type Dispatcher } from "undici";

export interface DispatcherOptions {
  /** Where the proxy variables are read from (default `process.env`); injected so tests need not touch the process. */
  env?: Readonly<Record<string, string | undefined>>;
  connectTimeoutMs?: number;
  /** Time to the response headers. */
  headersTimeoutMs?: number;
  /** Longest silence while the body streams. */
  bodyTimeoutMs?: number;
  /** How long an idle connection is kept for the next request. */
  keepAliveTimeoutMs?: number;
}

export const DEFAULT_TIMEOUTS = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
} as const;

export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  const env = options.env ?? process.env;
  return new EnvHttpProxyAgent({
    // Explicit values (an empty string meaning "none") so undici does not fall back to `process.env` behind the
    // injected env's back. Lower case first, as curl and undici itself do.
    httpProxy: proxyVar(env, "http_proxy", "HTTP_PROXY"),
    httpsProxy: proxyVar(env, "https_proxy", "HTTPS_PROXY"),
    noProxy: proxyVar(env, "no_proxy", "NO_PROXY"),
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs,
    headersTimeout: options.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? DEFAULT_TIMEOUTS.bodyTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_TIMEOUTS.keepAliveTimeoutMs,
  });
}

function proxyVar(env: Readonly<Record<string, string | undefined>>, lower: string, upper: string): string {
  return env[lower] ?? env[upper] ?? "";
}
