/**
 * Everything the decision review reads from a rule's text, from one lexing: its scope, the text the engine is
 * given (effect rewritten to `permit`), the entity literals and types it names, the literals of its conditions,
 * whether it is one statement and whether its conditions read only the request's entities.
 *
 * A plan reads each rule in several places (the universe, the narrowing, the evaluator, on both sides); lexing
 * 10,000 rules seven times was a second of a cold run. Memoized by text, with a plain bound as in canonical.ts.
 */
import { codeTokens, statementShape } from "../cedar/lexer.js";
import { readsOnlyRequestEntitiesOf } from "./entity-needs.js";
import { namesOfTokens, scopeOfTokens } from "./rule-scope.js";
import type { RuleScope } from "./rule-scope.js";

export interface RuleFacts {
  /**
   * The text with its effect keyword replaced by `permit`, as `asPermit` in src/cedar/evaluate.ts does: the engine
   * then lists the rule among its reasons whenever it matches, forbid or not.
   */
  permitText: string;
  effect: "permit" | "forbid";
  scope: RuleScope;
  /** Entity literals anywhere in the rule (uid keys) and types named after `is`. */
  literals: string[];
  types: string[];
  /** Entity literals in the conditions (uid keys): entities evaluation may read. */
  conditionLiterals: string[];
  /** Exactly one statement ending with its `;`: safe to join with others into one text. */
  single: boolean;
  /** Its conditions read only the request's entities (entity-needs.ts). */
  shallow: boolean;
}

const MEMO_LIMIT = 50_000;
const memo = new Map<string, RuleFacts>();

export function ruleFacts(text: string): RuleFacts {
  const hit = memo.get(text);
  if (hit) return hit;
  const tokens = codeTokens(text);
  const shape = statementShape(tokens);
  const effectToken = tokens[shape.effect];
  const forbid = effectToken?.text === "forbid";
  const names = namesOfTokens(tokens);
  const facts: RuleFacts = {
    permitText: forbid && effectToken ? `${text.slice(0, effectToken.start)}permit${text.slice(effectToken.end)}` : text,
    effect: forbid ? "forbid" : "permit",
    scope: scopeOfTokens(tokens),
    literals: names.literals,
    types: names.types,
    conditionLiterals: shape.scopeEnd < 0 ? [] : namesOfTokens(tokens, shape.scopeEnd + 1).literals,
    single: tokens[tokens.length - 1]?.text === ";" && tokens.filter((t) => t.text === ";").length === 1,
    shallow: readsOnlyRequestEntitiesOf(tokens),
  };
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, facts);
  return facts;
}
