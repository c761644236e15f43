/**
 * Builds the two API clients for a run from its targets. Both share one dispatcher (one pool of keep-alive
 * connections per origin) but each has its own limiter: a 429 from one service slows only that service.
 */
import type { Dispatcher } from "undici";
import type { CedarTarget, RbacTarget } from "./targets.js";
import type { HttpClientOptions } from "./http-client.js";
import type { LiveClients } from "./fetch-live.js";
import { createRbacClient } from "./rbac-client.js";
import { createCedarClient } from "./cedar-client.js";

export interface ClientSettings extends Pick<HttpClientOptions, "retry" | "sleep" | "random" | "now" | "onRetry"> {
  dispatcher: Dispatcher;
  /** Most requests in flight per API (default 8). */
  concurrency?: number;
}

export function createLiveClients(targets: { rbac?: RbacTarget; cedar?: CedarTarget }, settings: ClientSettings): LiveClients {
  const clients: LiveClients = {};
  if (targets.rbac !== undefined) {
    clients.rbac = createRbacClient({ ...settings, baseUrl: targets.rbac.url, apiKey: targets.rbac.apiKey });
  }
  if (targets.cedar !== undefined) {
    const { url, apiKey, tenantId } = targets.cedar;
    clients.cedar = createCedarClient({ ...settings, baseUrl: url, apiKey, tenantId });
  }
  return clients;
}
