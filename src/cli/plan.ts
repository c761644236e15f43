/** `accessctl plan [dir]`: what would change, and who gains or loses access. Never writes to a service. */
import { readdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { DesiredState } from "../desired/types.js";
import { EXIT } from "../errors/exit-codes.js";
import { onFile } from "../errors/file-errors.js";
import { inSession, loadBase, loadDesired, planFor } from "../flow/plan-flow.js";
import { needsOf } from "../session/open-session.js";
import { isEmpty } from "../plan/summary.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { renderDiagnostics } from "../render/diagnostics-text.js";
import { renderPlanText } from "../render/plan-text.js";
import { io as cliIo, type CliContext } from "./context.js";
import { collect, DENY_WARNINGS_HELP, PATTERN_HELP, sessionRequest, timeoutSeconds, type TargetFlags } from "./options.js";
import type { SetExit } from "./program.js";
import { requestsLine, withHeartbeat } from "./heartbeat.js";
import { runCommand } from "./report-error.js";

interface PlanOptions extends TargetFlags {
  out?: string;
  json?: boolean;
  detailedExitcode?: boolean;
  markdown?: boolean;
  base?: string;
  only: string[];
  denyWarnings?: boolean;
}

export function registerPlan(program: Command, ctx: CliContext, exit: SetExit): void {
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
    .option("--timeout <seconds>", "give up on a request after this long with nothing received (default 30, or ACCESSCTL_TIMEOUT)", timeoutSeconds)
    .option("--deny-warnings", DENY_WARNINGS_HELP)
    .addHelpText("after", PATTERN_HELP)
    .action(async (dir: string, opts: PlanOptions) => {
      const io = cliIo(ctx);
      exit(
        await runCommand(io, async () => {
          const load = { env: ctx.env, cwd: ctx.cwd, denyWarnings: opts.denyWarnings === true };
          const { desired } = loadDesired(dir, load);
          let base: DesiredState | undefined;
          if (opts.base !== undefined) {
            const baseDir = opts.base;
            onFile(baseDir, "read the base directory", () => readdirSync(resolve(ctx.cwd, baseDir)), "--base takes the base branch's desired-state directory (e.g. a checkout of main)");
            const loaded = loadBase(baseDir, load);
            if (!loaded.desired) io.err(`warning: the base files in ${opts.base} are invalid (${loaded.problems} problem(s)); the drift split is left out`);
            base = loaded.desired;
          }
          const plan = await inSession(needsOf(desired), sessionRequest(io, opts), (session) =>
            withHeartbeat(io, () => `reading the live state: ${requestsLine(session.activity())}`, () => planFor(session, desired, { only: opts.only, cwd: ctx.cwd, denyWarnings: opts.denyWarnings === true, ...(base ? { base } : {}) })),
          );
          if (plan.warnings) io.err(renderDiagnostics(plan.warnings, io.errPalette));
          for (const note of plan.decisionNotes ?? []) io.err(`warning: decision review: ${note}`);
          const out = opts.out;
          if (out) onFile(out, "write the plan to", () => writeFileSync(resolve(ctx.cwd, out), io.redact(JSON.stringify(plan, null, 2)) + "\n"), "--out takes a file path in an existing directory");
          if (opts.json) io.out(JSON.stringify(plan, null, 2));
          else if (opts.markdown) io.out(renderPlanMarkdown(plan, { title: dir }));
          else io.out(renderPlanText(plan, io.outPalette, { showEmails: true }));
          return opts.detailedExitcode && !isEmpty(plan.summary) ? EXIT.changes : EXIT.ok;
        }),
      );
    });
}
