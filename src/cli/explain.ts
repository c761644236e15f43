/**
 * `accessctl explain [dir] <principal> <action> <resource>`: one request's decision and the rules that make it
 * (docs/plan-and-apply.md#explain). Offline against the desired managed policies; with `--live`, against every live
 * policy of the tenant (a target, as for `plan`). A request that is not well written is exit 1 with a hint; files
 * that cannot be loaded or whose Cedar is invalid are exit 3; failing access tests do not matter here.
 */
import type { Command } from "commander";
import type { EvalPolicy } from "../cedar/evaluate.js";
import type { RuleRef } from "../decisions/rule-refs.js";
import { explainRequest } from "../decisions/explain.js";
import { parseRequestLiterals } from "../decisions/request-literals.js";
import { desiredRuleRefs } from "../decisions/rule-refs.js";
import { desiredEvalPolicies } from "../desired/access-tests.js";
import { loadCheckedDesiredState } from "../desired/load-checked.js";
import type { DesiredState } from "../desired/types.js";
import { EXIT } from "../errors/exit-codes.js";
import { InvalidDesiredStateError, UsageError } from "../errors/user-errors.js";
import { renderExplanationText } from "../render/explain-text.js";
import { io as cliIo, type CliContext, type CliIo } from "./context.js";
import { timeoutSeconds, sessionRequest, type TargetFlags } from "./options.js";
import type { SetExit } from "./program.js";
import { runCommand } from "./report-error.js";

interface ExplainOptions extends TargetFlags {
  context?: string;
  live?: boolean;
  json?: boolean;
}

export function registerExplain(program: Command, ctx: CliContext, exit: SetExit): void {
  program
    .command("explain")
    .description("explain one request's Cedar decision: the priority group and the rules that decide it")
    .usage("[dir] <principal> <action> <resource> [options]")
    .argument("<request...>", '[dir] then the principal, action and resource, e.g. . \'User::"alice"\' view \'Doc::"d1"\'')
    .option("--context <json>", "the request's context, a JSON object (default {})")
    .option("--live", "explain against the live policies of the tenant instead of the files")
    .option("--json", "print the explanation as JSON on stdout")
    .option("--target <target>", "with --live: local (embedded emulator) or remote (the URL variables)")
    .option("--timeout <seconds>", "with --live: give up on a request after this long with nothing received (default 30, or ACCESSCTL_TIMEOUT)", timeoutSeconds)
    .action(async (args: string[], opts: ExplainOptions) => {
      const io = cliIo(ctx);
      exit(await runCommand(io, () => explain(io, args, opts)));
    });
}

async function explain(io: CliIo, args: string[], opts: ExplainOptions): Promise<typeof EXIT.ok> {
  if (args.length < 3 || args.length > 4) {
    throw new UsageError(`explain takes [dir] <principal> <action> <resource>, got ${args.length} argument(s)`, `e.g. accessctl explain . 'User::"alice"' view 'Doc::"d1"'`);
  }
  refuseLiveFlagsOffline(opts);
  const [dir, principal, action, resource] = (args.length === 4 ? args : [".", ...args]) as [string, string, string, string];
  // The request first: a typo in it should not wait for the files.
  const parsed = parseRequestLiterals(principal, action, resource, opts.context);
  if (!parsed.ok) {
    const first = parsed.problems[0]!;
    throw new UsageError(parsed.problems.map((x) => x.message).join("; "), first.hint);
  }
  const desired = loadFiles(dir, io);
  const source = opts.live ? "live" : "desired";
  const notes: string[] = [];
  let policies: EvalPolicy[];
  let refs: Map<string, RuleRef>;
  if (opts.live) ({ policies, refs } = await livePolicies(desired, io, opts));
  else {
    policies = desiredEvalPolicies(desired);
    refs = desiredRuleRefs(desired);
    notes.push("offline: explained against the desired managed policies; live policies the files do not manage are not included (--live reads the tenant)");
    for (const p of desired.cedar?.policies ?? []) {
      const left = [...(p.priority === undefined ? ["priority (taken as 0)"] : []), ...(p.enabled === undefined ? ["enabled (taken as true)"] : [])];
      if (left.length > 0) notes.push(`${p.address} leaves out ${left.join(" and ")}, the API defaults`);
    }
  }
  const cedar = desired.cedar;
  const answer = explainRequest({
    policies,
    ...(cedar?.schema ? { schema: cedar.schema.text } : {}),
    ...(cedar?.tests?.entities ? { entities: cedar.tests.entities.value } : {}),
    principal,
    action,
    resource,
    ...(opts.context === undefined ? {} : { context: opts.context }),
    refs,
  });
  if (!answer.ok) throw new UsageError(answer.problems.map((x) => x.message).join("; "), answer.problems[0]?.hint);
  const e = answer.explanation;
  if (e.decision === "error") {
    throw new UsageError(`the request cannot be evaluated: ${e.requestError ?? "unknown error"}`, "check the entity types, the action and the context against the Cedar schema and the entities file");
  }
  notes.push(...e.warnings);
  if (opts.json) io.out(JSON.stringify({ source, ...e, notes }, null, 2));
  else {
    for (const n of notes) io.err(`note: ${n}`);
    io.out(renderExplanationText(e, source, io.outPalette));
  }
  return EXIT.ok;
}

/** `--target` and `--timeout` choose and bound the live session: offline, taking them in silence would mislead. */
function refuseLiveFlagsOffline(opts: ExplainOptions): void {
  if (opts.live || (opts.target === undefined && opts.timeout === undefined)) return;
  throw new UsageError("--target and --timeout only apply with --live", "add --live to explain against the tenant, or drop them to explain against the files");
}

/** The files, loaded and their Cedar checked; failing access tests are not run, so they cannot stop `explain`. */
function loadFiles(dir: string, io: CliIo): DesiredState {
  const checked = loadCheckedDesiredState(dir, { env: io.ctx.env, cwd: io.ctx.cwd });
  if (!checked.desired) throw new InvalidDesiredStateError(checked.diagnostics);
  return checked.desired;
}

/** Every live policy of the tenant (managed or not), its rules named as the desired rules they are. */
async function livePolicies(desired: DesiredState, io: CliIo, opts: ExplainOptions): Promise<{ policies: EvalPolicy[]; refs: Map<string, RuleRef> }> {
  if (!desired.cedar?.policies) {
    throw new UsageError("--live needs files that manage Cedar policies (`cedar.policies`), to know the tenant to read", "add `cedar: {policies: [...]}` to the files, or leave --live out");
  }
  // Loaded only here: a cold offline explain does not pay for the HTTP stack.
  const [{ inSession }, { fetchLive }, { planRuleRefs, pairByName }, { tenantAfter }] = await Promise.all([
    import("../flow/plan-flow.js"),
    import("../live/fetch-live.js"),
    import("../decisions/plan-review.js"),
    import("../decisions/tenant-sides.js"),
  ]);
  // The Cedar API alone: explain reads no RBAC scope.
  const live = await inSession({ rbac: false, cedar: true }, sessionRequest(io, opts), (session) => fetchLive(session.clients, { cedar: true }));
  const policies = live.cedar?.policies ?? [];
  return { policies: tenantAfter(policies, []), refs: planRuleRefs(desired, policies, pairByName(desired.cedar.policies, policies)) };
}
