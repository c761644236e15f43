/** Option parsers, help texts and the session request that `plan`, `apply` and `export` share. */
import { InvalidArgumentError } from "commander";
import { EXIT } from "../errors/exit-codes.js";
import { UserError } from "../errors/user-errors.js";
import type { EmbeddedEmulator } from "../session/open-session.js";
import { parseSeconds } from "../flow/seconds.js";
import type { SessionRequest } from "../flow/plan-flow.js";
import type { CliIo } from "./context.js";

/**
 * How address patterns read (`--only`, and `protect` / `ignore` / `owns` in the files), after the options of
 * plan, apply and export.
 */
export const PATTERN_HELP = `
Patterns (--only, and accessctl.protect / ignore / owns in the files) are addresses:
  organization/policies/<name>, organization/roles/<name>,
  projects/<project>/policies/<name>, projects/<project>/roles/<name>,
  cedar/policies/<name>
A pattern starts with organization/, projects/, cedar/ or **. In a pattern * matches
within one segment (never a /), ** matches across segments. In a name, /, * and \\
are written \\/, \\* and \\\\. Names are case-sensitive: 'organization/roles/billing*'
does not match "Billing Manager".
Examples: 'organization/roles/Billing*'  'projects/*/roles/**'  '**/Legacy *'`;

/** For repeatable options: `--only a --only b` → ["a", "b"]. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

/** `--timeout <seconds>`: in whole milliseconds, read as ACCESSCTL_TIMEOUT is (`parseSeconds`). */
export function timeoutSeconds(value: string): number {
  const parsed = parseSeconds(value);
  if ("wanted" in parsed) throw new InvalidArgumentError(`expected ${parsed.wanted}, e.g. --timeout 30`);
  return parsed.ms;
}

/**
 * `--deny-warnings` on plan and apply: besides the files' own warnings, the live state adds protect / ignore / owns
 * patterns that match nothing (validate and test word theirs).
 */
export const DENY_WARNINGS_HELP = "treat every warning (Cedar, patterns that match nothing) as an error";

export interface TargetFlags {
  target?: string;
  concurrency?: number;
  /** `--timeout`, in whole milliseconds (`timeoutSeconds`). */
  timeout?: number;
}

/** The embedded emulator of a local run (its default keys), loaded only when one is started. */
export async function startEmbedded(statePath: string): Promise<EmbeddedEmulator> {
  const [{ startEmulator }, defaults] = await Promise.all([import("../emulator/index.js"), import("../emulator/options.js")]);
  let emulator;
  try {
    emulator = await startEmulator({ port: 0, statePath });
  } catch (error) {
    throw new UserError(
      `the embedded emulator cannot start: ${error instanceof Error ? error.message : String(error)}`,
      EXIT.error,
      `its state is ${statePath} (with .journal and .lock beside it): fix or move it away to start from a fresh state, or set ACCESSCTL_RBAC_URL / ACCESSCTL_CEDAR_URL`,
    );
  }
  return {
    url: emulator.url,
    keys: { rbac: defaults.DEFAULT_RBAC_KEY, cedar: defaults.DEFAULT_CEDAR_KEY, tenant: defaults.DEFAULT_TENANT },
    notices: emulator.notices,
    close: () => emulator.close(),
  };
}

/** The session of a CLI run: the context's environment and directory; notices go to stderr. */
export function sessionRequest(io: CliIo, flags: TargetFlags): SessionRequest {
  return {
    env: io.ctx.env,
    cwd: io.ctx.cwd,
    notice: io.err,
    startEmbedded,
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
    ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout }),
    ...(io.ctx.interrupt ? { interrupt: io.ctx.interrupt } : {}),
  };
}
