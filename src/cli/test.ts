/** `accessctl test [dir]`: run the access tests, one line per case, then `N passed, N failed`. */
import type { Command } from "commander";
import { validateDesiredState } from "../desired/validate.js";
import { EXIT } from "../errors/exit-codes.js";
import { InvalidDesiredStateError } from "../errors/user-errors.js";
import { renderDiagnostics } from "../render/diagnostics-text.js";
import { renderTestResults } from "../render/test-results-text.js";
import { io as cliIo, type CliContext } from "./context.js";
import type { SetExit } from "./program.js";
import { runCommand } from "./report-error.js";

export function registerTest(program: Command, ctx: CliContext, exit: SetExit): void {
  program
    .command("test")
    .description("run the Cedar access tests against the desired rules")
    .argument("[dir]", "desired-state directory", ".")
    .option("--deny-warnings", "treat Cedar warnings as errors")
    .action(async (dir: string, opts: { denyWarnings?: boolean }) => {
      const io = cliIo(ctx);
      exit(
        await runCommand(io, async () => {
          const result = validateDesiredState(dir, { env: ctx.env, cwd: ctx.cwd, denyWarnings: opts.denyWarnings === true });
          if (result.tests === undefined) throw new InvalidDesiredStateError(result.diagnostics);
          const other = result.diagnostics.filter((d) => d.code !== "access-test");
          if (other.length > 0) io.err(renderDiagnostics(other, io.errPalette));
          io.out(renderTestResults(result.tests, io.outPalette));
          return result.desired ? EXIT.ok : EXIT.invalid;
        }),
      );
    });
}
