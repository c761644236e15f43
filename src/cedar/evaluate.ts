/**
 * Access-test evaluation with the Cedar policy service's semantics (API.md, "Evaluation semantics"):
 * disabled policies are skipped; rules are grouped by their policy's priority, highest first; the first group
 * in which any rule matches decides, and inside a group a matching forbid wins; nothing matches → deny. A rule
 * whose condition errors does not match and is reported.
 *
 * One engine call answers a request, however many groups there are: every rule is given to the engine as a
 * `permit` (its effect rewritten), so Cedar's reasons list every rule that matched and its errors every rule
 * that errored; the group logic above is then applied here. `createEvaluator` parses the rules once and keeps
 * them inside the engine, so many test cases cost one call each, with only the entities they can reach.
 */
import { createHash } from "node:crypto";
import { parseEntityLiteral } from "./assemble.js";
import type { EntityRef } from "./assemble.js";
import { parseRules } from "./check-rules.js";
import type { RuleText } from "./check-rules.js";
import { isAuthorized, preparsePolicySet, preparseSchema, statefulIsAuthorized } from "./engine.js";
import type { CedarValueJson, EntityJson } from "./engine.js";
import { checkEntities, conditionLiterals, EntityIndex, schemaActionEntities, uidKey } from "./entity-index.js";
import { codeTokens, statementShape } from "./lexer.js";

export interface EvalPolicy {
  key: string;
  enabled: boolean;
  priority: number;
  /** Rule keys must be unique across all policies (addresses are). */
  rules: RuleText[];
}

export interface AccessRequest {
  /** Entity literals, e.g. `User::"alice"`. */
  principal: string;
  action: string;
  resource: string;
  context?: Record<string, unknown>;
}

export interface RuleError {
  key: string;
  message: string;
}

export interface EvalResult {
  decision: "allow" | "deny";
  /** Keys of the deciding rules: the matching permits (allow) or forbids (deny) of the deciding group. */
  deciding: string[];
  /** Rules that errored in the groups consulted, and rules that do not parse at all; neither matched. */
  errors: RuleError[];
  /** Set when the request itself could not be evaluated (bad entity literal, context, entities); decision is deny. */
  requestError?: string;
  /** The request did not match the schema and was evaluated without it (action groups still from the schema). */
  warnings?: string[];
}

export interface EvaluatorInput {
  policies: EvalPolicy[];
  /** A Cedar entities JSON array. */
  entities?: unknown;
  /** Cedar schema text; action groups (`action a in ["g"]`) come from it. */
  schema?: string;
}

export interface Evaluator {
  evaluate(request: AccessRequest): EvalResult;
  /** Problems found while preparing (schema that does not parse, entities that do not match the schema). */
  warnings: string[];
}

export interface EvaluatorOptions {
  /**
   * Keep the parsed rules and schema inside the engine for every request (default true). The engine cannot
   * forget them; ids are content hashes so the same rules reuse one slot. A one-off evaluation (the
   * emulator's endpoint) passes false.
   */
  preparse?: boolean;
}

/** A rule as the group logic sees it. */
export interface RankedRule {
  key: string;
  priority: number;
  effect: "permit" | "forbid";
  /** Position among the rules (policy order, then rule order): outputs list rules in this order. */
  order: number;
}

/** The service's decision on one request (`groupDecision`). */
export interface GroupDecision {
  decision: "allow" | "deny";
  /** Every rule that matched, in rule order. */
  matched: string[];
  /** The matching forbids (deny) or permits (allow) of the deciding group. */
  deciding: string[];
  /** The deciding group's priority; absent when nothing matched (default deny). */
  priority?: number;
  /** Rules whose conditions errored, in the groups consulted. */
  errors: RuleError[];
}

/** How the engine is called: with the schema, or without it but with the schema's action entities added. */
export interface EngineMode {
  index: EntityIndex;
  /** The schema, when evaluating with it. */
  schema?: string;
  /** The preparsed schema's name, when evaluating with the schema and preparsing. */
  schemaName?: string;
}

export interface EngineModes {
  primary: EngineMode;
  /** Without the schema, for requests the schema refuses. */
  fallback?: EngineMode;
  /** The entities as given. */
  entities: EntityJson[];
  /** The schema's action entities with their groups, when the schema parses. */
  actions?: EntityJson[];
  /** Entities the engine refuses, a schema that does not parse, entities that do not match it. */
  warnings: string[];
}

// Part of this module's interface (callers check entity files before running tests); they live with the index.
export { checkEntities, schemaActionEntities };

type ParsedRequest = Record<"principal" | "action" | "resource", EntityRef>;

/** Ids of the rule sets already parsed into the engine by this process (ids are content hashes). */
const preparedSets = new Set<string>();

export function createEvaluator(input: EvaluatorInput, options: EvaluatorOptions = {}): Evaluator {
  const preparse = options.preparse ?? true;
  const staticErrors: RuleError[] = [];

  // Every enabled rule, as a permit, under a positional id.
  const rules = new Map<string, RankedRule>();
  const matchSet: Record<string, string> = {};
  for (const p of input.policies) {
    if (!p.enabled) continue;
    for (const r of p.rules) {
      const order = rules.size;
      const id = `r${order}`;
      const rewritten = asPermit(r.text);
      rules.set(id, { key: r.key, priority: p.priority, effect: rewritten.effect, order });
      matchSet[id] = rewritten.text;
    }
  }
  const roots = Object.values(matchSet).flatMap(conditionLiterals);

  const { primary, fallback, warnings } = engineModes(input, { roots, preparse });

  // Rules that do not parse cannot match: drop and report them. Only looked for once the engine refuses the
  // set, since validation normally stops such rules before tests run.
  const dropUnparsable = () => {
    for (const p of parseRules(Object.entries(matchSet).map(([key, text]) => ({ key, text })))) {
      const info = rules.get(p.key);
      if (!info || !(p.key in matchSet)) continue;
      delete matchSet[p.key];
      staticErrors.push({ key: info.key, message: `the rule does not parse, so it cannot match: ${p.message}` });
    }
  };
  let setId: string | undefined;
  if (preparse) {
    const prepare = (): { type: string; errors?: { message: string }[] } => {
      setId = `accessctl-rules-${hash(Object.entries(matchSet).flat())}`;
      // The id is a content hash and the engine keeps what it parsed: the same rules are parsed once per process
      // (a plan evaluates the live and the desired rules, which are usually the same rules, after validate did).
      if (preparedSets.has(setId)) return { type: "success" };
      const answer = preparsePolicySet(setId, { staticPolicies: matchSet });
      if (answer.type === "success") preparedSets.add(setId);
      return answer;
    };
    if (prepare().type !== "success") {
      dropUnparsable();
      const answer = prepare();
      if (answer.type !== "success") throw new Error(`bug: rules that parse could not be preparsed: ${answer.errors?.[0]?.message}`);
    }
  }

  const authorize = (mode: EngineMode, request: ParsedRequest, context: Record<string, CedarValueJson>) => {
    const uids = [request.principal, request.action, request.resource].map(uidKey);
    const base = { ...request, context, entities: mode.index.reachable(uids, context), validateRequest: false };
    if (setId !== undefined) {
      const schema = mode.schemaName === undefined ? {} : { preparsedSchemaName: mode.schemaName };
      return statefulIsAuthorized({ ...base, preparsedPolicySetId: setId, ...schema });
    }
    const schema = mode.schema === undefined ? {} : { schema: mode.schema };
    const call = () => isAuthorized({ ...base, policies: { staticPolicies: matchSet }, ...schema });
    const answer = call();
    if (answer.type === "success" || !answer.errors.some((e) => e.message.startsWith("failed to parse policy"))) return answer;
    dropUnparsable();
    return call();
  };

  const run = (mode: EngineMode, request: ParsedRequest, context: Record<string, CedarValueJson>): EvalResult => {
    const answer = authorize(mode, request, context);
    if (answer.type !== "success") {
      return { decision: "deny", deciding: [], errors: [], requestError: answer.errors.map((e) => e.message).join("; ") };
    }
    const matched = answer.response.diagnostics.reason.flatMap((id) => rules.get(id) ?? []);
    const errored = answer.response.diagnostics.errors.flatMap(({ policyId, error }) => {
      const rule = rules.get(policyId);
      return rule ? [{ rule, message: error.message }] : [];
    });
    const { decision, deciding, errors } = groupDecision(matched, errored);
    return { decision, deciding, errors };
  };

  const evaluate = (request: AccessRequest): EvalResult => {
    const parsed = parseRequest(request);
    if (typeof parsed === "string") return { decision: "deny", deciding: [], errors: [...staticErrors], requestError: parsed };
    const context = (request.context ?? {}) as Record<string, CedarValueJson>;
    let result = run(primary, parsed, context);
    if (result.requestError !== undefined && fallback) {
      const warning = `the request does not match the schema (evaluating without it): ${result.requestError}`;
      result = { ...run(fallback, parsed, context), warnings: [warning] };
    }
    // Unparsable rules are reported with every decision: they are in every group's way.
    return { ...result, errors: [...staticErrors, ...result.errors] };
  };

  return { evaluate, warnings };
}

/**
 * How requests are evaluated, for the access tests and the decision review alike (a decision shown in review is the
 * decision `accessctl test` gives). Prefer evaluating with the schema: it types entity attributes and supplies the
 * action groups. Entities or a request that do not match it are a warning, not a failure (real entity files drift
 * from their schema); the engine then runs without the schema and only the schema's action groups are kept.
 * `roots` are uid keys every request's entities include (entity literals in rule conditions); with `preparse`, the
 * schema is parsed into the engine once, under a content hash so that every caller shares one parsed copy.
 */
export function engineModes(
  input: { entities?: unknown; schema?: string },
  options: { roots?: readonly string[]; preparse: boolean },
): EngineModes {
  const warnings: string[] = [];
  const roots = options.roots ?? [];
  const entities: EntityJson[] = Array.isArray(input.entities) ? (input.entities as EntityJson[]) : [];
  if (input.entities !== undefined) warnings.push(...checkEntities(input.entities, undefined));
  const plain: EngineMode = { index: new EntityIndex(entities, roots) };
  if (input.schema === undefined) return { primary: plain, entities, warnings };

  const actions = schemaActionEntities(input.schema);
  if (actions === undefined) {
    warnings.push("the schema does not parse; evaluating without it");
    return { primary: plain, entities, warnings };
  }
  const present = new Set(entities.map((e) => uidKey(e.uid)));
  const withoutSchema: EngineMode = { index: new EntityIndex([...entities, ...actions.filter((a) => !present.has(uidKey(a.uid)))], roots) };
  const mismatch = warnings.length > 0 ? [] : checkEntities(entities, input.schema);
  if (warnings.length > 0 || mismatch.length > 0) {
    warnings.push(...mismatch.map((w) => `the entities do not match the schema (evaluating without it): ${w}`));
    return { primary: withoutSchema, entities, actions, warnings };
  }
  const primary: EngineMode = { index: plain.index, schema: input.schema };
  if (options.preparse) {
    primary.schemaName = `accessctl-schema-${hash([input.schema])}`;
    const answer = preparseSchema(primary.schemaName, input.schema);
    if (answer.type !== "success") throw new Error(`bug: a parsed schema could not be preparsed: ${answer.errors[0]?.message}`);
  }
  return { primary, fallback: withoutSchema, entities, actions, warnings };
}

/** One-off evaluation (no parsed state left in the engine); warnings of preparation and request together. */
export function evaluate(input: EvaluatorInput & { request: AccessRequest }): EvalResult & { warnings: string[] } {
  const evaluator = createEvaluator(input, { preparse: false });
  const result = evaluator.evaluate(input.request);
  return { ...result, warnings: [...evaluator.warnings, ...(result.warnings ?? [])] };
}

/**
 * The service's decision from the rules that matched one request and the rules that errored on it: the deciding
 * group is the highest priority with a match, a matching forbid winning inside it; nothing matches → deny. An
 * erroring rule did not match; errors are reported for the groups consulted (the deciding group and those above
 * it), lower groups never being consulted. Rules are listed in their `order`, whatever order they are given in.
 */
export function groupDecision(matched: readonly RankedRule[], errored: readonly { rule: RankedRule; message: string }[]): GroupDecision {
  const byOrder = [...matched].sort((a, b) => a.order - b.order);
  const top = byOrder.reduce((max, r) => Math.max(max, r.priority), -Infinity);
  const inGroup = byOrder.filter((r) => r.priority === top);
  const forbids = inGroup.filter((r) => r.effect === "forbid");
  const deciding = forbids.length > 0 ? forbids : inGroup;
  const errors = errored
    .filter((e) => e.rule.priority >= top)
    .sort((a, b) => a.rule.order - b.rule.order)
    .map((e) => ({ key: e.rule.key, message: e.message }));
  return {
    decision: byOrder.length > 0 && forbids.length === 0 ? "allow" : "deny",
    matched: byOrder.map((r) => r.key),
    deciding: deciding.map((r) => r.key),
    ...(byOrder.length > 0 ? { priority: top } : {}),
    errors,
  };
}

/**
 * The rule with its effect keyword replaced by `permit` (annotations skipped), and the original effect. Given to
 * the engine this way, Cedar's reasons list every rule that matched, forbids included.
 */
function asPermit(text: string): { text: string; effect: "permit" | "forbid" } {
  const tokens = codeTokens(text);
  const effect = tokens[statementShape(tokens).effect];
  if (effect?.text !== "forbid") return { text, effect: "permit" };
  return { text: `${text.slice(0, effect.start)}permit${text.slice(effect.end)}`, effect: "forbid" };
}

function hash(parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\u0000");
  return h.digest("hex").slice(0, 32);
}

function parseRequest(request: AccessRequest): ParsedRequest | string {
  const out: Partial<ParsedRequest> = {};
  for (const part of ["principal", "action", "resource"] as const) {
    const ref = parseEntityLiteral(request[part]);
    if (!ref) return `${part} ${JSON.stringify(request[part])} is not a Cedar entity literal such as User::"alice"`;
    out[part] = ref;
  }
  return out as ParsedRequest;
}
