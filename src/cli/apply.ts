/**
 * `accessctl apply [dir]`: plan, check guards, confirm, apply in dependency order, then plan again — the run
 * succeeds only when the fresh plan is empty. `--plan plan.json` applies a reviewed plan only if a fresh plan from
 * its saved files has the same checksum.
 */
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { executePlan, type ProgressEvent } from "../apply/execute.js";
import { summarizeApply } from "../apply/report.js";
import type { Plan } from "../plan/model.js";
import { comparePlans, readSavedPlan } from "../plan/saved-plan.js";
import { isEmpty } from "../plan/summary.js";
import { progressLine, renderApplyReport, renderPlanDifferences } from "../render/apply-text.js";
import { changeHeadline, closingLine, guardLines, renderPlanText } from "../render/plan-text.js";
import { errPalette, outPalette, writeErr, writeOut, type CliContext } from "./context.js";
import { EXIT } from "./exit-codes.js";
import { collect, positiveInt } from "./options.js";
import { loadValid, planWith, withSession, type PlanFlags } from "./plan-flow.js";
import { CliError, runCommand } from "./run-command.js";

interface ApplyOptions extends PlanFlags {
  yes?: boolean;
  plan?: string;
  force?: boolean;
}

export function registerApply(program: Command, ctx: CliContext): void {
  program
    .command("apply")
    .description("apply the plan: creates and updates in dependency order, then deletes")
    .argument("[dir]", "desired-state directory", ".")
    .option("--yes", "do not ask for confirmation")
    .option("--plan <file>", "apply a reviewed plan (from `plan --out`) if it is still exactly what would be applied")
    .option("--force", "apply even when a threshold guard would refuse (never overrides protection)")
    .option("--concurrency <n>", "changes in flight per API (default 8)", positiveInt)
    .option("--only <pattern>", "limit the apply to matching addresses (repeatable)", collect, [] as string[])
    .option("--target <target>", "local (embedded emulator) or remote (the URL variables)")
    .option("--deny-warnings", "treat Cedar warnings as errors")
    .action(async (dir: string, opts: ApplyOptions) => {
      let redact = (s: string): string => s;
      process.exitCode = await runCommand(
        ctx,
        async () => {
          const saved = opts.plan === undefined ? undefined : readSavedPlan(opts.plan);
          const flags: ApplyOptions = saved?.only ? { ...opts, only: saved.only } : opts;
          const desired = saved
            ? loadValid(ctx, saved.desired.dir, flags, new Map(saved.desired.files.map((f) => [f.path, f.text])))
            : loadValid(ctx, dir, flags);
          return withSession(ctx, desired, flags, async (session) => {
            redact = session.redact;
            const out = (s: string): void => writeOut(ctx, redact(s));
            const err = (s: string): void => writeErr(ctx, redact(s));
            const p = outPalette(ctx);
            const ep = errPalette(ctx);
            const { plan } = await planWith(session, desired, flags);
            out(renderPlanText(plan, p, { showEmails: true }));

            if (saved && saved.checksum !== plan.checksum) {
              err(`${ep.red("The reviewed plan is stale:")} a fresh plan from its files differs (reviewed ${saved.checksum}, now ${plan.checksum}):`);
              err(renderPlanDifferences(comparePlans(saved.changes, plan.changes), ep));
              throw new CliError("refusing to apply what was not reviewed; nothing was written", EXIT.refused, "make and review a new plan (`accessctl plan --out plan.json`), then apply it");
            }
            if (isEmpty(plan.summary)) return EXIT.ok;

            const blocking = plan.guards.filter((g) => !g.forceable || !opts.force);
            if (blocking.length > 0) {
              for (const g of blocking) for (const l of guardLines(g, ep, true)) err(l);
              throw new CliError(`refused by ${blocking.length} guard(s); nothing was written`, EXIT.refused);
            }
            if (!saved && !opts.yes) await confirm(ctx, plan);

            const report = await executePlan(plan.changes, session.clients, {
              ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
              onProgress: progressReporter(ctx, redact),
            });
            const summary = summarizeApply(report);
            err(renderApplyReport(summary, ep));
            if (!summary.ok) return EXIT.error;

            const { plan: after } = await planWith(session, desired, flags);
            if (!isEmpty(after.summary)) {
              err(ep.red("The live state did not converge: a fresh plan still has changes:"));
              for (const c of after.changes) err(`  ${changeHeadline(c)}`);
              err(closingLine(after));
              return EXIT.error;
            }
            out(closingLine(after));
            return EXIT.ok;
          });
        },
        (s) => redact(s),
      );
    });
}

async function confirm(ctx: CliContext, plan: Plan): Promise<void> {
  if (ctx.stdin.isTTY !== true || ctx.stdout.isTTY !== true) {
    throw new CliError("no confirmation in a non-interactive run; nothing was written", EXIT.refused, "review the plan above and re-run with --yes, or apply a reviewed plan with --plan plan.json");
  }
  const rl = createInterface({ input: ctx.stdin, output: ctx.stdout });
  try {
    const answer = await rl.question(`\nApply ${plan.changes.length} change(s)? Only 'yes' will be accepted: `);
    if (answer.trim() !== "yes") throw new CliError("apply cancelled; nothing was written", EXIT.refused);
  } finally {
    rl.close();
  }
}

function progressReporter(ctx: CliContext, redact: (s: string) => string): (e: ProgressEvent) => void {
  const p = errPalette(ctx);
  const tty = ctx.stderr.isTTY === true;
  return (e) => {
    const line = redact(progressLine(e, p));
    if (tty && e.status === "applied") {
      // One live line on a terminal; failures and skips stay on screen.
      ctx.stderr.write(`\r\u001b[2K${line}${e.done === e.total ? "\n" : ""}`);
    } else {
      ctx.stderr.write(`${tty ? "\r\u001b[2K" : ""}${line}\n`);
    }
  };
}
