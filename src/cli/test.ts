/** `accessctl test [dir]`: run the access tests, one line per case, then `N passed, N failed`. */
import type { Command } from "commander";
import { InvalidDesiredStateError } from "../diagnostics/diagnostic.js";
import { validateDesiredState } from "../desired/validate.js";
import { renderDiagnostics } from "../render/diagnostics-text.js";
import { renderTestResults } from "../render/test-results-text.js";
import { errPalette, outPalette, writeErr, writeOut, type CliContext } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { runCommand } from "./run-command.js";

export function registerTest(program: Command, ctx: CliContext): void {
  program
    .command("test")
    .description("run the Cedar access tests against the desired rules")
    .argument("[dir]", "desired-state directory", ".")
    .option("--deny-warnings", "treat Cedar warnings as errors")
    .action(async (dir: string, opts: { denyWarnings?: boolean }) => {
      process.exitCode = await runCommand(ctx, async () => {
        const result = validateDesiredState(dir, { env: ctx.env, denyWarnings: opts.denyWarnings === true });
        if (result.tests === undefined) throw new InvalidDesiredStateError(result.diagnostics);
        const other = result.diagnostics.filter((d) => d.code !== "access-test");
        if (other.length > 0) writeErr(ctx, renderDiagnostics(other, errPalette(ctx)));
        writeOut(ctx, renderTestResults(result.tests, outPalette(ctx)));
        return result.desired ? EXIT.ok : EXIT.invalid;
      });
    });
}
