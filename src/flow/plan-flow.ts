/**
 * The plan flow both front ends share: load the files (or refuse them), open the session, read the live state
 * the files manage and compose the plan. The CLI and the GitHub Action only parse their inputs around it and
 * render what it returns.
 */
import { compilePattern, AddressSyntaxError, type Pattern } from "../address/address.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { requireValidDesiredState, validateDesiredState } from "../desired/validate.js";
import { digestSources } from "../desired/load.js";
import { DEFAULT_THRESHOLDS, type DesiredState } from "../desired/types.js";
import { UsageError } from "../errors/user-errors.js";
import { DEFAULT_TIMEOUT_MS } from "../live/http-client.js";
import type { Env } from "../live/targets.js";
import type { Plan, PlanLocation } from "../plan/model.js";
import { needsOf, withSession, type Session, type SessionOptions } from "../session/open-session.js";
import { locate, planTargets } from "./binding.js";
import { parseSeconds } from "./seconds.js";
import { composePlan } from "./compose-plan.js";
import type { Interrupt } from "./interrupt.js";
import { readLiveFor } from "./read-live.js";

export interface LoadOptions {
  env: Env;
  denyWarnings?: boolean;
  /** Files as written, instead of the disk (a saved plan's files, or the base commit's). */
  files?: ReadonlyMap<string, string>;
  /** Relative directories are read from here. */
  cwd?: string;
}

/** The valid desired state and its warnings; InvalidDesiredStateError (exit 3) with every problem otherwise. */
export function loadDesired(dir: string, options: LoadOptions): { desired: DesiredState; warnings: Diagnostic[] } {
  const { desired, result } = requireValidDesiredState(dir, options);
  return { desired, warnings: result.diagnostics };
}

/**
 * The base branch's files for the drift split. An invalid base does not stop the plan (the head is what would be
 * applied): it comes back with its problem count, and every change is then attributed to the files.
 */
export function loadBase(dir: string, options: LoadOptions): { desired?: DesiredState; problems: number } {
  const result = validateDesiredState(dir, options);
  return result.desired ? { desired: result.desired, problems: 0 } : { problems: result.diagnostics.length };
}

/** A desired state that manages nothing: the base of a directory that does not exist there yet. */
export function emptyDesiredState(dir: string): DesiredState {
  return {
    dir,
    projects: [],
    settings: { owns: [], ignore: [], protect: [], thresholds: { ...DEFAULT_THRESHOLDS } },
    sources: [],
    digest: digestSources([]),
  };
}

export interface SessionRequest {
  env: Env;
  cwd: string;
  /** `local` or `remote`; the default follows the URL variables. */
  target?: string;
  concurrency?: number;
  /** `--timeout`, in whole milliseconds (`parseSeconds`); else ACCESSCTL_TIMEOUT; else 30 s. */
  timeoutMs?: number;
  /** Where the session's notices go (the embedded emulator is used, …): stderr, or the job log. */
  notice: (text: string) => void;
  /** Starts the embedded emulator (the CLI has one; the Action does not). */
  startEmbedded?: SessionOptions["startEmbedded"];
  /** SIGINT / SIGTERM: when the grace period is over, every request in flight is abandoned. */
  interrupt?: Interrupt;
  /**
   * The CLI's apply: after the first signal, the requests in flight may finish or settle for one request timeout
   * (the interrupt's grace period). Without it, plan and export abandon their reads at once.
   */
  settleInFlight?: boolean;
}

/** Which APIs a session talks to, as `needsOf` tells them for a desired state. */
export type SessionNeed = ReturnType<typeof needsOf>;

/**
 * Opens the session for `need` (callers with a desired state pass `needsOf(desired)`), runs `fn`, always closes
 * it. The first interrupt abandons the requests in flight when its grace period is over.
 */
export function inSession<T>(need: SessionNeed, request: SessionRequest, fn: (s: Session) => Promise<T>): Promise<T> {
  const ms = requestTimeoutMs(request);
  if (request.settleInFlight && request.interrupt) request.interrupt.graceMs = ms;
  const options = {
    env: request.env,
    cwd: request.cwd,
    need,
    ...(request.target === undefined ? {} : { target: request.target }),
    ...(request.concurrency === undefined ? {} : { concurrency: request.concurrency }),
    ...(request.startEmbedded ? { startEmbedded: request.startEmbedded } : {}),
    timeoutMs: ms,
  };
  return withSession(options, request.notice, (session) => {
    const stop = (): void => session.stopRequests("the run was interrupted; its answer was not waited for");
    const interrupt = request.interrupt?.stopWaiting;
    if (interrupt?.aborted) stop();
    interrupt?.addEventListener("abort", stop, { once: true });
    return fn(session).finally(() => interrupt?.removeEventListener("abort", stop));
  });
}

/** The request timeout: the flag, else ACCESSCTL_TIMEOUT, else 30 s; a bad variable is a usage error. */
function requestTimeoutMs(request: SessionRequest): number {
  if (request.timeoutMs !== undefined) return request.timeoutMs;
  const raw = request.env["ACCESSCTL_TIMEOUT"]?.trim();
  if (raw === undefined || raw === "") return DEFAULT_TIMEOUT_MS;
  const parsed = parseSeconds(raw);
  if ("wanted" in parsed) {
    throw new UsageError(`ACCESSCTL_TIMEOUT=${JSON.stringify(raw)} is not ${parsed.wanted}`, "set it to the request timeout in seconds, e.g. ACCESSCTL_TIMEOUT=30, or unset it");
  }
  return parsed.ms;
}

export interface PlanRequest {
  /** Where relative directories are (the plan records where its directory is); absent: not recorded. */
  cwd?: string;
  /** Where the directory is, when known already (a saved plan's files are not on disk). */
  location?: PlanLocation;
  /** `--deny-warnings`: warnings found against the live state stop the plan (exit 3). */
  denyWarnings?: boolean;
  /** `--only` patterns as written. */
  only?: readonly string[];
  /** The base branch's desired state, for the drift split. */
  base?: DesiredState;
  /** Compute the Cedar decision review and the restored invariants (default true; an apply nobody confirms leaves them out). */
  decisions?: boolean;
}

/** A pattern naming rules (`cedar/policies/<p>/rules/<n>`): a reorder carries every rule of its policy. */
const RULE_PATTERN = /^(cedar|\*\*)\/policies\/(?:[^/\\]|\\.)+\/rules(\/|$)/;

/** `--only` patterns, or a usage error naming the bad one. */
export function compileOnly(only: readonly string[] | undefined): Pattern[] {
  return (only ?? []).map((o) => {
    if (RULE_PATTERN.test(o)) {
      throw new UsageError(`--only ${JSON.stringify(o)} names Cedar rules: --only selects policies and roles`, "select the rule's policy instead (e.g. --only 'cedar/policies/<name>'): its rules, and their order, go together");
    }
    try {
      return compilePattern(o);
    } catch (e) {
      if (e instanceof AddressSyntaxError) throw new UsageError(`--only ${JSON.stringify(o)}: ${e.message}`, "give an address pattern, e.g. --only 'organization/roles/*'");
      throw e;
    }
  });
}

/** Reads the live state the files need and composes the plan. */
export async function planFor(session: Session, desired: DesiredState, request: PlanRequest = {}): Promise<Plan> {
  const only = compileOnly(request.only);
  const live = await readLiveFor(request.base ? [desired, request.base] : desired, session.clients);
  return composePlan(desired, live, {
    targets: planTargets(session.targets, needsOf(desired)),
    ...(request.denyWarnings ? { denyWarnings: true } : {}),
    ...(request.location ? { location: request.location } : request.cwd ? { location: locate(desired.dir, request.cwd) } : {}),
    ...(request.base ? { base: request.base } : {}),
    ...(only.length > 0 ? { only, onlySources: [...request.only!] } : {}),
    ...(request.decisions === false ? { decisions: false } : {}),
  });
}
