/** `accessctl validate [dir]`: offline checks of the desired state; `--json` prints the diagnostics as JSON. */
import type { Command } from "commander";
import { validateDesiredState } from "../desired/validate.js";
import { renderDiagnostics, summarizeDiagnostics } from "../render/diagnostics-text.js";
import { renderTestResults } from "../render/test-results-text.js";
import { errPalette, outPalette, writeErr, writeOut, type CliContext } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { runCommand } from "./run-command.js";

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command("validate")
    .description("check the desired-state files offline: YAML, schema, references, Cedar, access tests")
    .argument("[dir]", "desired-state directory", ".")
    .option("--json", "print the result as JSON on stdout")
    .option("--deny-warnings", "treat Cedar warnings as errors")
    .action(async (dir: string, opts: { json?: boolean; denyWarnings?: boolean }) => {
      process.exitCode = await runCommand(ctx, async () => {
        const result = validateDesiredState(dir, { env: ctx.env, denyWarnings: opts.denyWarnings === true });
        const valid = result.desired !== undefined;
        if (opts.json) {
          writeOut(ctx, JSON.stringify({ valid, diagnostics: result.diagnostics, tests: result.tests ?? [] }, null, 2));
          return valid ? EXIT.ok : EXIT.invalid;
        }
        if (result.diagnostics.length > 0) writeErr(ctx, renderDiagnostics(result.diagnostics, errPalette(ctx)));
        if (!valid) {
          writeErr(ctx, `${errPalette(ctx).red("The desired state is invalid")} (${summarizeDiagnostics(result.diagnostics)}).`);
          return EXIT.invalid;
        }
        const d = result.desired!;
        const tests = result.tests ?? [];
        if (tests.length > 0) writeOut(ctx, renderTestResults(tests, outPalette(ctx)));
        writeOut(ctx, `${outPalette(ctx).green("Valid:")} ${d.sources.length} file(s) in ${dir}, ${countObjects(d)} object(s).`);
        return EXIT.ok;
      });
    });
}

function countObjects(d: NonNullable<ReturnType<typeof validateDesiredState>["desired"]>): number {
  const scope = (s?: { policies?: unknown[]; roles?: unknown[] }): number => (s?.policies?.length ?? 0) + (s?.roles?.length ?? 0);
  return scope(d.organization) + d.projects.reduce((n, p) => n + scope(p), 0) + (d.cedar?.policies ?? []).reduce((n, p) => n + 1 + p.rules.length, 0);
}
