/**
 * `accessctl validate [dir]`: offline checks of the desired state — with the invariants, hygiene warnings and the
 * coverage threshold; `--json` prints the diagnostics (and tests, invariants, coverage) as JSON.
 */
import type { Command } from "commander";
import type { DesiredState } from "../desired/types.js";
import { EXIT } from "../errors/exit-codes.js";
import { renderDiagnostics, summarizeDiagnostics } from "../render/diagnostics-text.js";
import { renderInvariantChecks, renderTestResults } from "../render/test-results-text.js";
import { checkFiles } from "./check-files.js";
import { io as cliIo, type CliContext } from "./context.js";
import type { SetExit } from "./program.js";
import { runCommand } from "./report-error.js";

export function registerValidate(program: Command, ctx: CliContext, exit: SetExit): void {
  program
    .command("validate")
    .description("check the desired-state files offline: YAML, schema, references, Cedar, access tests, invariants, hygiene")
    .argument("[dir]", "desired-state directory", ".")
    .option("--json", "print the result as JSON on stdout")
    .option("--deny-warnings", "treat warnings (Cedar, hygiene) as errors")
    .action(async (dir: string, opts: { json?: boolean; denyWarnings?: boolean }) => {
      const io = cliIo(ctx);
      exit(
        await runCommand(io, async () => {
          const result = checkFiles(dir, ctx, opts.denyWarnings);
          const valid = result.desired !== undefined;
          if (opts.json) {
            const quality = result.quality;
            const extra = { invariants: quality?.invariants ?? [], ...(quality?.coverage ? { coverage: quality.coverage } : {}) };
            io.out(JSON.stringify({ valid, diagnostics: result.diagnostics, tests: result.tests ?? [], ...extra }, null, 2));
            return valid ? EXIT.ok : EXIT.invalid;
          }
          if (result.diagnostics.length > 0) io.err(renderDiagnostics(result.diagnostics, io.errPalette));
          if (!result.desired) {
            io.err(`${io.errPalette.red("The desired state is invalid")} (${summarizeDiagnostics(result.diagnostics)}).`);
            return EXIT.invalid;
          }
          const tests = result.tests ?? [];
          if (tests.length > 0) io.out(renderTestResults(tests, io.outPalette));
          const invariants = result.quality?.invariants ?? [];
          if (invariants.length > 0) io.out(renderInvariantChecks(invariants, io.outPalette));
          io.out(`${io.outPalette.green("Valid:")} ${result.desired.sources.length} file(s) in ${dir}, ${countObjects(result.desired)} object(s).`);
          return EXIT.ok;
        }),
      );
    });
}

function countObjects(d: DesiredState): number {
  const scope = (s?: { policies?: unknown[]; roles?: unknown[] }): number => (s?.policies?.length ?? 0) + (s?.roles?.length ?? 0);
  return scope(d.organization) + d.projects.reduce((n, p) => n + scope(p), 0) + (d.cedar?.policies ?? []).reduce((n, p) => n + 1 + p.rules.length, 0);
}
