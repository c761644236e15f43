/**
 * The decision diff of a change (SPEC section 4a, "Decision diff in `plan`"; section 10 fixes the shape): every
 * request of the universe that a changed rule can match is decided with the rules before the change and after it,
 * both sides being the whole tenant — priority groups interact across policies, so the diff is global, never per
 * policy. A request no changed rule can match is decided the same way on both sides, so it is counted in the
 * universe but not evaluated.
 *
 * A rule is changed when it is added, removed, its text differs, or its policy's priority or `enabled` differs;
 * moves change nothing. Requests are first narrowed by scope and, when it pays, by the engine's request
 * environments (request-space.ts); above `maxRequests` nothing is evaluated and the result says `capped`.
 */
import type { EvalPolicy } from "../cedar/evaluate.js";
import { decisionGroups } from "./decision-groups.js";
import type { DecisionGroup } from "./decision-groups.js";
import { DEFAULT_MAX_REQUESTS, requestsMatching, toDecisionRequests } from "./request-space.js";
import type { RequestSpaceOptions } from "./request-space.js";
import type { RuleRefs } from "./rule-refs.js";
import { createSideEvaluator } from "./side-evaluator.js";
import { buildUniverse } from "./universe.js";
import type { TestRequestLike, Universe } from "./universe.js";

/** `plan.decisions` (SPEC section 10). */
export interface Decisions {
  universe: { requests: number; evaluated: number; schema: boolean; capped: boolean };
  groups: DecisionGroup[];
}

export interface DecisionReviewInput {
  /** The tenant's live Cedar policies, managed or not. */
  before: readonly EvalPolicy[];
  /** The same with this plan's changes applied. */
  after: readonly EvalPolicy[];
  /**
   * The base branch's desired state applied to the live policies (`--base`): a request whose base and after
   * outcomes agree but differ from before is drift. Adds `drift` to counts and examples.
   */
  base?: readonly EvalPolicy[];
  /** More rule keys to treat as changed; changes are otherwise found by comparing `before` and `after`. */
  changed?: Iterable<string>;
  /** Cedar schema text. */
  schema?: string;
  /** The tests' entities file (a JSON array). */
  entities?: unknown;
  /** The access tests: their literals join the universe, their contexts are its contexts. */
  tests?: readonly TestRequestLike[];
  /** The universe, when the caller has built it already (it must include every rule of every side). */
  universe?: Universe;
  refs?: RuleRefs;
  /** `cedar.review.maxRequests`, default 100,000. */
  maxRequests?: number;
  envs?: RequestSpaceOptions["envs"];
}

export interface DecisionReview {
  decisions: Decisions;
  /** What a reader should know: the cap, rules that do not parse, entities that do not match the schema. */
  notes: string[];
  /** Requests whose erroring rules changed but whose decision did not, in groups with no decision change. */
  errorChangedElsewhere: number;
  stats: { changedRules: number; universe: number; evaluated: number; narrowedByEnvs: number; engineSets: number; engineCalls: number };
}

export function reviewDecisions(input: DecisionReviewInput): DecisionReview {
  const sides = [input.before, input.after, ...(input.base ? [input.base] : [])];
  const universe =
    input.universe ??
    buildUniverse({
      ...(input.schema === undefined ? {} : { schema: input.schema }),
      ...(input.entities === undefined ? {} : { entities: input.entities }),
      rules: sides.flatMap((s) => s.flatMap((p) => p.rules.map((r) => r.text))),
      ...(input.tests ? { tests: input.tests } : {}),
    });
  const changed = changedTexts(input.before, input.after, input.changed);
  const max = input.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const space = requestsMatching(universe, changed.texts, { maxRequests: max, ...(input.envs ? { envs: input.envs } : {}) });
  const notes = [...universe.notes];
  const stats = { changedRules: changed.count, universe: universe.size, evaluated: 0, narrowedByEnvs: space.narrowedByEnvs, engineSets: 0, engineCalls: 0 };
  // Keys in the order SPEC section 10 lists them, so the plan's JSON reads as documented.
  const summary = (evaluated: number, capped: boolean) => ({ requests: universe.size, evaluated, schema: universe.schema, capped });
  if (space.capped) {
    notes.push(
      `decision review not computed: the changed rules can match more than ${max} requests of the universe of ${universe.size} ` +
        `(raise cedar.review.maxRequests to compute it)`,
    );
    return { decisions: { universe: summary(0, true), groups: [] }, notes, errorChangedElsewhere: 0, stats };
  }

  const evaluator = createSideEvaluator({
    sides,
    ...(input.schema === undefined ? {} : { schema: input.schema }),
    ...(input.entities === undefined ? {} : { entities: input.entities }),
    hierarchy: universe.hierarchy,
  });
  const requests = toDecisionRequests(universe, space.requests);
  const outcomes = evaluator.evaluate(requests);
  notes.push(...evaluator.warnings);
  const failed = outcomes.filter((o) => o[0]?.decision === "error");
  if (failed.length > 0) {
    // Never a silent deny: such a request is neither wider nor narrower, and the reader is told why.
    notes.push(`${failed.length} request(s) could not be evaluated at all, e.g.: ${failed[0]?.[0]?.requestError ?? "unknown error"}`);
  }
  for (const u of evaluator.unparsable()) notes.push(`${u.key}: ${u.message}`);
  const { groups, errorChangedElsewhere } = decisionGroups(requests, space.requests, outcomes, { drift: input.base !== undefined, ...(input.refs ? { refs: input.refs } : {}) });
  Object.assign(stats, { evaluated: requests.length, engineSets: evaluator.stats.sets, engineCalls: evaluator.stats.calls });
  return { decisions: { universe: summary(requests.length, false), groups }, notes, errorChangedElsewhere, stats };
}

/**
 * The texts of the changed rules, both versions of each. Rules of a policy disabled on both sides change nothing
 * the service decides, so they are left out.
 */
function changedTexts(
  before: readonly EvalPolicy[],
  after: readonly EvalPolicy[],
  extra: Iterable<string> = [],
): { texts: string[]; count: number } {
  type Version = { text: string; priority: number };
  const versions = (policies: readonly EvalPolicy[]) => {
    const out = new Map<string, Version | undefined>();
    for (const p of policies) for (const r of p.rules) out.set(r.key, p.enabled ? { text: r.text, priority: p.priority } : undefined);
    return out;
  };
  const b = versions(before);
  const a = versions(after);
  const forced = new Set(extra);
  const texts: string[] = [];
  let count = 0;
  for (const key of new Set([...b.keys(), ...a.keys()])) {
    const vb = b.get(key);
    const va = a.get(key);
    if (!vb && !va) continue;
    if (!forced.has(key) && vb && va && vb.text === va.text && vb.priority === va.priority) continue;
    count++;
    if (vb) texts.push(vb.text);
    if (va && va.text !== vb?.text) texts.push(va.text);
  }
  return { texts, count };
}
