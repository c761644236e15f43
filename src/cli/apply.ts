/**
 * `accessctl apply [dir]`: plan, check guards, confirm, apply in dependency order, then plan again — the run
 * succeeds only when the fresh plan is empty. `--plan plan.json` applies a reviewed plan only if a fresh plan from
 * its saved files has the same checksum. The flow is the core's (`applyPlan`); this file parses flags, asks for
 * confirmation and renders the outcome.
 */
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import type { ProgressEvent } from "../apply/execute.js";
import { EXIT, type ExitCode } from "../errors/exit-codes.js";
import { RefusedError, UsageError } from "../errors/user-errors.js";
import { applyPlan, type ApplyOutcome } from "../flow/apply-flow.js";
import { inSession, loadDesired, planFor } from "../flow/plan-flow.js";
import { describeLocation, describeTargets, locate, sameLocation, targetsDigest } from "../flow/binding.js";
import { digestChanges } from "../flow/review.js";
import { readSavedPlan } from "../flow/saved-plan-file.js";
import type { Plan } from "../plan/model.js";
import { needsOf } from "../session/open-session.js";
import { progressLine, renderApplyReport } from "../render/apply-text.js";
import { renderDiagnostics } from "../render/diagnostics-text.js";
import { renderReviewDifferences } from "../render/review-differences.js";
import { changeHeadline, closingLine, guardLines, renderPlanText } from "../render/plan-text.js";
import { io as cliIo, type CliContext, type CliIo } from "./context.js";
import { collect, DENY_WARNINGS_HELP, PATTERN_HELP, positiveInt, sessionRequest, timeoutSeconds, type TargetFlags } from "./options.js";
import type { SetExit } from "./program.js";
import { requestsLine, withHeartbeat } from "./heartbeat.js";
import { runCommand } from "./report-error.js";

interface ApplyOptions extends TargetFlags {
  yes?: boolean;
  plan?: string;
  force?: boolean;
  only: string[];
  denyWarnings?: boolean;
}

export function registerApply(program: Command, ctx: CliContext, exit: SetExit): void {
  program
    .command("apply")
    .description("apply the plan: creates and updates in dependency order, then deletes")
    .argument("[dir]", "desired-state directory (default: the current one, or with --plan the plan's)")
    .option("--yes", "do not ask for confirmation")
    .option("--plan <file>", "apply a reviewed plan (from `plan --out`) if it is still exactly what would be applied")
    .option("--force", "apply even when a threshold guard would refuse (never overrides protection)")
    .option("--concurrency <n>", "changes in flight per API (default 8)", positiveInt)
    .option("--only <pattern>", "limit the apply to matching addresses (repeatable)", collect, [] as string[])
    .option("--target <target>", "local (embedded emulator) or remote (the URL variables)")
    .option("--timeout <seconds>", "give up on a request after this long with nothing received (default 30, or ACCESSCTL_TIMEOUT)", timeoutSeconds)
    .option("--deny-warnings", DENY_WARNINGS_HELP)
    .addHelpText("after", PATTERN_HELP)
    .action(async (dir: string | undefined, opts: ApplyOptions) => {
      const io = cliIo(ctx);
      exit(await runCommand(io, () => apply(io, dir, opts)));
    });
}

async function apply(io: CliIo, dir: string | undefined, opts: ApplyOptions): Promise<ExitCode> {
  const saved = opts.plan === undefined ? undefined : readSavedPlan(opts.plan, io.ctx.cwd);
  if (saved && dir !== undefined) checkDirectory(saved, dir, io.ctx.cwd);
  if (saved && opts.only.length > 0 && opts.only.join("\n") !== (saved.only ?? []).join("\n")) throw new UsageError("--only cannot be given with --plan: the saved plan's selection applies", "drop --only, or make a new plan with the --only you want");
  const only = saved ? (saved.only ?? []) : opts.only;
  const load = { env: io.ctx.env, cwd: io.ctx.cwd, denyWarnings: opts.denyWarnings === true };
  const { desired } = saved
    ? loadDesired(saved.desired.dir, { ...load, files: new Map(saved.desired.files.map((f) => [f.path, f.text])) })
    : loadDesired(dir ?? ".", load);
  // After a first SIGINT / SIGTERM, the changes in flight may finish or settle for one timeout.
  const request = { ...sessionRequest(io, opts), settleInFlight: true };
  return inSession(needsOf(desired), request, async (session) => {
    const plan = await withHeartbeat(io, () => `reading the live state: ${requestsLine(session.activity())}`, () => planFor(session, desired, { only, cwd: io.ctx.cwd, denyWarnings: opts.denyWarnings === true, ...(saved?.desired.location ? { location: saved.desired.location } : {}), ...(saved || opts.yes ? { decisions: false } : {}) }));
    if (plan.warnings) io.err(renderDiagnostics(plan.warnings, io.errPalette));
    io.out(renderPlanText(plan, io.outPalette, { showEmails: true }));
    const progress = progressReporter(io);
    const outcome = await withHeartbeat(io, () => `applying: ${progress.done()}/${plan.changes.length} change(s) done, ${requestsLine(session.activity())}`, () => applyPlan(plan, session, {
      desired,
      only,
      force: opts.force === true,
      ...(saved ? { review: { checksum: saved.checksum, changes: digestChanges(saved.changes), targets: targetsDigest(saved.targets) } } : {}),
      ...(saved || opts.yes ? {} : { confirm: (p: Plan) => confirm(io, p) }),
      ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
      onProgress: progress.report,
      ...(io.ctx.interrupt ? { interrupt: io.ctx.interrupt } : {}),
    }));
    if (outcome.kind === "retargeted" && saved) {
      throw new RefusedError(
        `the plan was made against ${describeTargets(saved.targets)}, but this run targets ${describeTargets(plan.targets)}; nothing was written`,
        "apply a plan where it was made, or make and review a plan against these targets",
      );
    }
    return renderOutcome(io, outcome);
  });
}

function renderOutcome(io: CliIo, outcome: ApplyOutcome): ExitCode {
  const ep = io.errPalette;
  switch (outcome.kind) {
    case "no-changes":
      return EXIT.ok;
    case "retargeted":
      throw new RefusedError("the reviewed plan was made against other targets; nothing was written");
    case "unreviewed":
      throw new RefusedError(`refusing to apply: ${outcome.why}; nothing was written`);
    case "stale":
      io.err(`${ep.red("The reviewed plan is stale:")} a fresh plan from its files differs (reviewed ${outcome.review.checksum}, now ${outcome.plan.checksum}):`);
      if (outcome.differences) io.err(renderReviewDifferences(outcome.differences, ep));
      throw new RefusedError("refusing to apply what was not reviewed; nothing was written", "make and review a new plan (`accessctl plan --out plan.json`), then apply it");
    case "refused":
      for (const g of outcome.guards) for (const l of guardLines(g, ep, true)) io.err(l);
      throw new RefusedError(`refused by ${outcome.guards.length} guard(s); nothing was written`);
    case "failed":
      io.err(renderApplyReport(outcome.summary, ep));
      return EXIT.error;
    case "interrupted":
      io.err(renderApplyReport(outcome.summary, ep));
      io.err(`${ep.red(`Interrupted by ${io.ctx.interrupt?.received ?? "a signal"}.`)} Run \`accessctl plan\` to see what is left; applying again finishes the work without duplicates.`);
      return io.ctx.interrupt?.exitCode ?? EXIT.error;
    case "not-converged":
      io.err(renderApplyReport(outcome.summary, ep));
      io.err(ep.red("The live state did not converge: a fresh plan still has changes:"));
      for (const c of outcome.after.changes) io.err(`  ${changeHeadline(c)}`);
      io.err(closingLine(outcome.after));
      return EXIT.error;
    case "applied":
      io.err(renderApplyReport(outcome.summary, ep));
      io.out(closingLine(outcome.after));
      return EXIT.ok;
  }
}

/** `apply <dir> --plan p.json`: the directory must be the one the plan was made for (real paths compared). */
function checkDirectory(saved: Plan, dir: string, cwd: string): void {
  const recorded = saved.desired.location;
  const here = locate(dir, cwd);
  if (recorded && !sameLocation(recorded, here)) {
    throw new RefusedError(
      `the plan was made for ${describeLocation(recorded)}, not ${describeLocation(here)}; nothing was written`,
      "apply the plan without a directory (it knows its own), or make and review a plan for this directory",
    );
  }
}

async function confirm(io: CliIo, plan: Plan): Promise<void> {
  const { stdin, stdout } = io.ctx;
  if (stdin.isTTY !== true || stdout.isTTY !== true) {
    throw new RefusedError("no confirmation in a non-interactive run; nothing was written", "review the plan above and re-run with --yes, or apply a reviewed plan with --plan plan.json");
  }
  const rl = createInterface({ input: stdin, output: stdout });
  try {
    const answer = await rl.question(`\nApply ${plan.changes.length} change(s)? Only 'yes' will be accepted: `);
    if (answer.trim() !== "yes") throw new RefusedError("apply cancelled; nothing was written");
  } finally {
    rl.close();
  }
}

function progressReporter(io: CliIo): { report: (e: ProgressEvent) => void; done: () => number } {
  const p = io.errPalette;
  const tty = io.ctx.stderr.isTTY === true;
  let done = 0;
  return {
    done: () => done,
    report: (e) => {
      done = e.done;
      const line = progressLine(e, p);
      if (tty && e.status === "applied") {
        // One live line on a terminal; failures and skips stay on screen.
        io.errRaw(`\r\u001b[2K${line}${e.done === e.total ? "\n" : ""}`);
      } else {
        io.errRaw(`${tty ? "\r\u001b[2K" : ""}${line}\n`);
      }
    },
  };
}
