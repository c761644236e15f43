/**
 * One line between user error and bug: every command runs through here, which turns known errors into their exit
 * code and a message that says what to do next, and anything else into "this is a bug".
 */
import { InvalidDesiredStateError, UsageError } from "../diagnostics/diagnostic.js";
import { renderDiagnostics, summarizeDiagnostics } from "../render/diagnostics-text.js";
import { errPalette, writeErr, type CliContext } from "./context.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/** An error whose message is already fit for the user, with its own exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export async function runCommand(ctx: CliContext, fn: () => Promise<ExitCode>, redact: (s: string) => string = (s) => s): Promise<ExitCode> {
  const p = errPalette(ctx);
  try {
    return await fn();
  } catch (e) {
    if (e instanceof InvalidDesiredStateError) {
      writeErr(ctx, redact(renderDiagnostics(e.diagnostics, p)));
      writeErr(ctx, `${p.red("The desired state is invalid")} (${summarizeDiagnostics(e.diagnostics)}). Nothing was written.`);
      return EXIT.invalid;
    }
    if (e instanceof UsageError || e instanceof CliError) {
      writeErr(ctx, redact(`${p.red("error:")} ${e.message}`));
      if (e.hint) writeErr(ctx, redact(`  ${p.dim("hint:")} ${e.hint}`));
      return e instanceof CliError ? e.exitCode : EXIT.error;
    }
    const err = e as Error & { userFacing?: boolean };
    if (err.userFacing) {
      writeErr(ctx, redact(`${p.red("error:")} ${err.message}`));
      return EXIT.error;
    }
    writeErr(ctx, redact(`${p.red("internal error (this is a bug in accessctl; please report it):")} ${err.stack ?? String(e)}`));
    return EXIT.error;
  }
}
