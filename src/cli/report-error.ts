/**
 * The CLI's end of the one error module: any failure, described by `describeError`, becomes one message on
 * stderr (diagnostics with their places for an invalid desired state) and its exit code. A stack trace only for a
 * bug, and only with ACCESSCTL_DEBUG=1.
 */
import { describeError } from "../errors/describe-error.js";
import type { ExitCode } from "../errors/exit-codes.js";
import { renderDiagnostics, summarizeDiagnostics } from "../render/diagnostics-text.js";
import type { CliIo } from "./context.js";

function reportError(io: CliIo, e: unknown): ExitCode {
  const p = io.errPalette;
  const interrupted = io.ctx.interrupt?.exitCode;
  if (interrupted !== undefined) {
    // What failed did so because the run was stopped: say that, not the failure it caused.
    io.err(`${p.red("interrupted")} by ${io.ctx.interrupt!.received}${io.ctx.env["ACCESSCTL_DEBUG"] === "1" ? ` (${e instanceof Error ? e.message : String(e)})` : ""}`);
    return interrupted;
  }
  const d = describeError(e);
  if (d.diagnostics) {
    io.err(renderDiagnostics(d.diagnostics, p));
    io.err(`${p.red("The desired state is invalid")} (${summarizeDiagnostics(d.diagnostics)}). Nothing was written.`);
    return d.exitCode;
  }
  io.err(`${p.red("error:")} ${d.message}`);
  if (d.hint) io.err(`  ${p.dim("hint:")} ${d.hint}`);
  if (d.internal) {
    if (io.ctx.env["ACCESSCTL_DEBUG"] === "1" && d.stack) io.err(d.stack);
    else io.err(`  ${p.dim("run with ACCESSCTL_DEBUG=1 to see where it happened")}`);
  }
  return d.exitCode;
}

/** Runs a command's body: its exit code, or the reported failure's. */
export async function runCommand(io: CliIo, fn: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await fn();
  } catch (e) {
    return reportError(io, e);
  }
}
