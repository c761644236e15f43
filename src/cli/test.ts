/**
 * `accessctl test [dir]`: run the access tests and the invariants, one line each, then `N passed, N failed`;
 * `--coverage` adds how many cases each rule decides; `--json` prints cases, invariants and coverage as one
 * object on stdout (for CI). Hygiene warnings and `minCoverage` apply as in `validate`.
 */
import type { Command } from "commander";
import { EXIT } from "../errors/exit-codes.js";
import { InvalidDesiredStateError } from "../errors/user-errors.js";
import { renderCoverage } from "../render/coverage-text.js";
import { renderDiagnostics } from "../render/diagnostics-text.js";
import { renderInvariantChecks, renderTestResults } from "../render/test-results-text.js";
import { checkFiles } from "./check-files.js";
import { io as cliIo, type CliContext } from "./context.js";
import type { SetExit } from "./program.js";
import { runCommand } from "./report-error.js";

export function registerTest(program: Command, ctx: CliContext, exit: SetExit): void {
  program
    .command("test")
    .description("run the Cedar access tests and invariants against the desired rules")
    .argument("[dir]", "desired-state directory", ".")
    .option("--coverage", "list how many test cases each rule decides, and the rules no test decides")
    .option("--json", "print the cases, invariants and coverage as one JSON object on stdout")
    .option("--deny-warnings", "treat warnings as errors")
    .action(async (dir: string, opts: { coverage?: boolean; json?: boolean; denyWarnings?: boolean }) => {
      const io = cliIo(ctx);
      exit(
        await runCommand(io, async () => {
          const result = checkFiles(dir, ctx, opts.denyWarnings);
          const valid = result.desired !== undefined;
          if (opts.json) {
            const quality = result.quality;
            io.out(
              JSON.stringify(
                {
                  valid,
                  cases: result.tests ?? [],
                  invariants: quality?.invariants ?? [],
                  ...(quality?.coverage ? { coverage: quality.coverage } : {}),
                  ...(quality?.universe ? { universe: quality.universe } : {}),
                  diagnostics: result.diagnostics,
                },
                null,
                2,
              ),
            );
            return valid ? EXIT.ok : EXIT.invalid;
          }
          if (result.tests === undefined) throw new InvalidDesiredStateError(result.diagnostics);
          // A failing case is its own FAIL line; everything else (invariants with their place, hygiene) goes to stderr.
          const other = result.diagnostics.filter((d) => d.code !== "access-test");
          if (other.length > 0) io.err(renderDiagnostics(other, io.errPalette));
          io.out(renderTestResults(result.tests, io.outPalette));
          const invariants = result.quality?.invariants ?? [];
          if (invariants.length > 0) io.out(renderInvariantChecks(invariants, io.outPalette));
          if (opts.coverage && result.quality?.coverage) io.out(renderCoverage(result.quality.coverage, io.outPalette));
          return valid ? EXIT.ok : EXIT.invalid;
        }),
      );
    });
}
