/**
 * The services one run talks to: live ones selected by the URL variables, or the embedded emulator (in-process,
 * on loopback, its state in `.accessctl/emulator.json` under the working directory). Keys are collected for
 * redaction of every output.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { InternalError, UsageError } from "../errors/user-errors.js";
import { createCedarClient } from "../live/cedar-client.js";
import { createDispatcher } from "../live/dispatcher.js";
import type { LiveClients } from "../live/fetch-live.js";
import { createRbacClient } from "../live/rbac-client.js";
import { redactor } from "../live/redact.js";
import { requireTargets, resolveTargets, secretsFromEnv, type Env } from "../live/targets.js";

export const EMBEDDED_STATE = ".accessctl/emulator.json";

export interface Session {
  clients: LiveClients;
  targets: { rbac?: string; cedar?: string; local: boolean };
  /** Things to tell the user on stderr before anything else (e.g. that the embedded emulator is used). */
  notices: string[];
  redact: (text: string) => string;
  close(): Promise<void>;
}

export interface SessionOptions {
  env: Env;
  cwd: string;
  target?: string;
  /** Which APIs the desired state manages. */
  need: { rbac: boolean; cedar: boolean };
  concurrency?: number;
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
  const dispatcher = createDispatcher({ env: options.env });
  const common = { dispatcher, ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }) };
  let emulator: EmbeddedEmulator | undefined;
  const notices = [...targets.notices];
  const clients: LiveClients = {};
  const info: Session["targets"] = { local: targets.kind === "local" };

  if (targets.kind === "local") {
    if (!options.startEmbedded) throw new InternalError("a local run without an embedded emulator to start");
    mkdirSync(join(options.cwd, ".accessctl"), { recursive: true });
    emulator = await options.startEmbedded(join(options.cwd, EMBEDDED_STATE));
    notices.unshift(
      `Using the embedded emulator (state in ${EMBEDDED_STATE}); set ACCESSCTL_RBAC_URL / ACCESSCTL_CEDAR_URL to reach live services.`,
      ...emulator.notices,
    );
    clients.rbac = createRbacClient({ ...common, baseUrl: emulator.url, apiKey: emulator.keys.rbac });
    clients.cedar = createCedarClient({ ...common, baseUrl: emulator.url, apiKey: emulator.keys.cedar, tenantId: emulator.keys.tenant });
  } else {
    if (targets.rbac) {
      clients.rbac = createRbacClient({ ...common, baseUrl: targets.rbac.url, apiKey: targets.rbac.apiKey });
      info.rbac = targets.rbac.url;
    }
    if (targets.cedar) {
      clients.cedar = createCedarClient({ ...common, baseUrl: targets.cedar.url, apiKey: targets.cedar.apiKey, tenantId: targets.cedar.tenantId });
      info.cedar = targets.cedar.url;
    }
  }
  return {
    clients,
    targets: info,
    notices,
    redact: redactor(secrets),
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
  const session = await openSession(options);
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
