/**
 * The undici dispatcher shared by both API clients: keep-alive connections (a plan of 10,000 objects must not pay
 * a TCP and TLS handshake per request), bounded timeouts, and `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` honoured.
 */
import { EnvHttpProxyAgent, type Dispatcher } from "undici";

export interface DispatcherOptions {
  /** Where the proxy variables are read from (default `process.env`); injected so tests need not touch the process. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The inactivity timeout (`--timeout`): connect, headers and body each, unless given one by one below. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Time to the response headers. */
  headersTimeoutMs?: number;
  /** Longest silence while the body streams. */
  bodyTimeoutMs?: number;
  /** How long an idle connection is kept for the next request. */
  keepAliveTimeoutMs?: number;
}

export const DEFAULT_TIMEOUTS = {
  connectTimeoutMs: 30_000,
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
    connectTimeout: options.connectTimeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs,
    headersTimeout: options.headersTimeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUTS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUTS.bodyTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_TIMEOUTS.keepAliveTimeoutMs,
  });
}

function proxyVar(env: Readonly<Record<string, string | undefined>>, lower: string, upper: string): string {
  return env[lower] ?? env[upper] ?? "";
}

/**
 * Which proxy a request to `url` goes through, in words, for error hints: "through the proxy <p> (HTTPS_PROXY)"
 * or "directly (no proxy variable applies)". Follows the variables as the dispatcher reads them: lower case
 * first; NO_PROXY entries are host names, `.suffix`es, `host:port` or `*`.
 */
export function proxyRoute(url: string, env: Readonly<Record<string, string | undefined>>): string {
  const target = new URL(url);
  const name = target.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY";
  const proxy = proxyVar(env, name.toLowerCase(), name);
  if (proxy === "") return "directly (no proxy variable applies)";
  const noProxy = proxyVar(env, "no_proxy", "NO_PROXY");
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  const bypassed = noProxy
    .split(/[,\s]+/)
    .filter((entry) => entry !== "")
    .some((entry) => {
      if (entry === "*") return true;
      const [host, entryPort] = entry.replace(/^\*?\./, ".").split(":");
      if (entryPort !== undefined && entryPort !== port) return false;
      return host!.startsWith(".") ? target.hostname.endsWith(host!) || target.hostname === host!.slice(1) : target.hostname === host;
    });
  if (bypassed) return "directly (NO_PROXY names this host)";
  let shown = proxy;
  try {
    const p = new URL(proxy);
    p.username = "";
    p.password = "";
    shown = p.toString().replace(/\/$/, "");
  } catch {
    // an unparsable proxy value is shown as it is
  }
  return `through the proxy ${shown} (${name})`;
}
