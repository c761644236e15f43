/**
 * The services one run talks to: live ones selected by the URL variables, or the embedded emulator (in-process,
 * on loopback, its state in `.accessctl/emulator.json` under the working directory). Keys are collected for
 * redaction of every output.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { onFile } from "../errors/file-errors.js";
import { InternalError, UsageError } from "../errors/user-errors.js";
import { createCedarClient } from "../live/cedar-client.js";
import { createDispatcher, proxyRoute } from "../live/dispatcher.js";
import { DEFAULT_TIMEOUT_MS } from "../live/http-client.js";
import type { LiveClients } from "../live/fetch-live.js";
import { createRbacClient } from "../live/rbac-client.js";
import { redactor } from "../live/redact.js";
import { requireTargets, resolveTargets, secretsFromEnv, type Env } from "../live/targets.js";

export const EMBEDDED_STATE = ".accessctl/emulator.json";

export interface Session {
  clients: LiveClients;
  /** Where this run's requests go (URLs and the Cedar tenant; never keys). */
  targets: { rbac?: string; cedar?: string; tenant?: string; local: boolean };
  /** Things to tell the user on stderr before anything else (e.g. that the embedded emulator is used). */
  notices: string[];
  redact: (text: string) => string;
  /** Abandons every request in flight and sends no more (an interrupt past its grace period). */
  stopRequests(reason: string): void;
  /** Requests answered so far and waiting now, over both APIs (for "still working" lines). */
  activity(): { ended: number; waiting: number; longestMs: number };
  close(): Promise<void>;
}

export interface SessionOptions {
  env: Env;
  cwd: string;
  target?: string;
  /** Which APIs the desired state manages. */
  need: { rbac: boolean; cedar: boolean };
  concurrency?: number;
  /** Where the clients' notices go (e.g. an RBAC endpoint marked deprecated), redacted; `withSession` wires it. */
  notice?: (text: string) => void;
  /** The inactivity timeout of every request (`--timeout`, ACCESSCTL_TIMEOUT); default 30 s. */
  timeoutMs?: number;
  /**
   * Starts the embedded emulator for a local run, its state in `statePath`. Injected by the CLI, so that the
   * GitHub Action (always remote) never loads the emulator and its bundle leaves it out.
   */
  startEmbedded?: (statePath: string) => Promise<EmbeddedEmulator>;
}

/** The embedded emulator as a session needs it: where it listens, the keys it accepts, and how to stop it. */
export interface EmbeddedEmulator {
  url: string;
  keys: { rbac: string; cedar: string; tenant: string };
  /** Startup remarks (e.g. a torn journal line dropped after a crash). */
  notices: string[];
  close(): Promise<void>;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  const targets = resolveTargets(options.env, options.target === undefined ? {} : { target: options.target });
  if (targets.kind === "error") throw new UsageError(targets.message, targets.hint);
  const missing = requireTargets(targets, options.need);
  if (missing) throw new UsageError(missing.message, missing.hint);
  const secrets = secretsFromEnv(options.env);
  const notice = options.notice;
  const rbacNotice = notice === undefined ? {} : { notice: (text: string) => notice(redactor(secrets)(text)) };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dispatcher = createDispatcher({ env: options.env, timeoutMs });
  const common = { dispatcher, timeoutMs, ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }) };
  let emulator: EmbeddedEmulator | undefined;
  const notices = [...targets.notices];
  const clients: LiveClients = {};
  const info: Session["targets"] = { local: targets.kind === "local" };

  if (targets.kind === "local") {
    if (!options.startEmbedded) throw new InternalError("a local run without an embedded emulator to start");
    const stateDir = join(options.cwd, ".accessctl");
    onFile(stateDir, "create the embedded emulator's directory", () => mkdirSync(stateDir, { recursive: true }), "the embedded emulator keeps its state in .accessctl/ under the current directory: remove or rename what is in the way, or set the target URL variables");
    emulator = await options.startEmbedded(join(options.cwd, EMBEDDED_STATE));
    notices.unshift(
      `Using the embedded emulator (state in ${EMBEDDED_STATE}); set ACCESSCTL_RBAC_URL / ACCESSCTL_CEDAR_URL to reach live services.`,
      ...emulator.notices,
    );
    clients.rbac = createRbacClient({ ...common, ...rbacNotice, baseUrl: emulator.url, apiKey: emulator.keys.rbac });
    clients.cedar = createCedarClient({ ...common, baseUrl: emulator.url, apiKey: emulator.keys.cedar, tenantId: emulator.keys.tenant });
  } else {
    if (targets.rbac) {
      clients.rbac = createRbacClient({ ...common, ...rbacNotice, baseUrl: targets.rbac.url, apiKey: targets.rbac.apiKey, route: proxyRoute(targets.rbac.url, options.env) });
      info.rbac = targets.rbac.url;
    }
    if (targets.cedar) {
      clients.cedar = createCedarClient({
        ...common,
        baseUrl: targets.cedar.url,
        apiKey: targets.cedar.apiKey,
        tenantId: targets.cedar.tenantId,
        route: proxyRoute(targets.cedar.url, options.env),
      });
      info.cedar = targets.cedar.url;
      info.tenant = targets.cedar.tenantId;
    }
  }
  return {
    clients,
    targets: info,
    notices,
    redact: redactor(secrets),
    activity: () => {
      const all = [clients.rbac, clients.cedar].flatMap((c) => (c ? [c.http.health.activity()] : []));
      return {
        ended: all.reduce((n, a) => n + a.ended, 0),
        waiting: all.reduce((n, a) => n + a.waiting, 0),
        longestMs: Math.max(0, ...all.map((a) => a.longestMs)),
      };
    },
    stopRequests: (reason) => {
      clients.rbac?.http.health.stop(reason);
      clients.cedar?.http.health.stop(reason);
    },
    close: async () => {
      await dispatcher.close();
      await emulator?.close();
    },
  };
}

/**
 * Opens the session, tells `notice` what the user must hear first (e.g. that the embedded emulator is used), runs
 * `fn`, and always closes the session (connections, and the embedded emulator's state).
 */
export async function withSession<T>(options: SessionOptions, notice: (text: string) => void, fn: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession({ notice, ...options });
  try {
    for (const n of session.notices) notice(session.redact(n));
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** Which APIs a desired state needs. */
export function needsOf(desired: { organization?: unknown; projects: unknown[]; cedar?: { policies?: unknown } }): { rbac: boolean; cedar: boolean } {
  return { rbac: desired.organization !== undefined || desired.projects.length > 0, cedar: desired.cedar?.policies !== undefined };
}
