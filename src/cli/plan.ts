/** `accessctl plan [dir]`: what would change, and who gains or loses access. Never writes to a service. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { renderPlanText } from "../render/plan-text.js";
import { isEmpty } from "../plan/summary.js";
import { outPalette, writeOut, type CliContext } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { loadBase, loadValid, planWith, withSession, type PlanFlags } from "./plan-flow.js";
import { runCommand } from "./run-command.js";
import { collect } from "./options.js";

interface PlanOptions extends PlanFlags {
  out?: string;
  json?: boolean;
  detailedExitcode?: boolean;
  markdown?: boolean;
  base?: string;
}

export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command("plan")
    .description("show what apply would create, update and delete, and who gains or loses access")
    .argument("[dir]", "desired-state directory", ".")
    .option("--out <file>", "write the plan as JSON (for `apply --plan`)")
    .option("--json", "print the plan as JSON on stdout")
    .option("--markdown", "print the plan as Markdown (for pull-request comments)")
    .option("--base <dir>", "the base branch's desired-state files: mark each change as from the files or drift")
    .option("--detailed-exitcode", "exit 2 when there are changes, 0 when there are none")
    .option("--only <pattern>", "limit the plan to matching addresses (repeatable)", collect, [] as string[])
    .option("--target <target>", "local (embedded emulator) or remote (the URL variables)")
    .option("--deny-warnings", "treat Cedar warnings as errors")
    .action(async (dir: string, opts: PlanOptions) => {
      let redact = (s: string): string => s;
      process.exitCode = await runCommand(
        ctx,
        async () => {
          const desired = loadValid(ctx, dir, opts);
          const base = opts.base === undefined ? undefined : loadBase(ctx, opts.base, opts);
          const { plan } = await withSession(ctx, desired, opts, async (session) => {
            redact = session.redact;
            return planWith(session, desired, opts, base);
          });
          if (opts.out) writeFileSync(opts.out, redact(JSON.stringify(plan, null, 2)) + "\n");
          if (opts.json) writeOut(ctx, redact(JSON.stringify(plan, null, 2)));
          else if (opts.markdown) writeOut(ctx, redact(renderPlanMarkdown(plan, { title: dir })));
          else writeOut(ctx, redact(renderPlanText(plan, outPalette(ctx), { showEmails: true })));
          return opts.detailedExitcode && !isEmpty(plan.summary) ? EXIT.changes : EXIT.ok;
        },
        (s) => redact(s),
      );
    });
}
