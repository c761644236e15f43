/** Option parsers and the session request that `plan`, `apply` and `export` share. */
import { InvalidArgumentError } from "commander";
import type { EmbeddedEmulator } from "../session/open-session.js";
import type { SessionRequest } from "../flow/plan-flow.js";
import type { CliIo } from "./context.js";

/** For repeatable options: `--only a --only b` → ["a", "b"]. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

export interface TargetFlags {
  target?: string;
  concurrency?: number;
}

/** The embedded emulator of a local run (its default keys), loaded only when one is started. */
export async function startEmbedded(statePath: string): Promise<EmbeddedEmulator> {
  const [{ startEmulator }, defaults] = await Promise.all([import("../emulator/index.js"), import("../emulator/options.js")]);
  const emulator = await startEmulator({ port: 0, statePath });
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
  };
}
