/**
 * A rule's scope read from its tokens, without an engine call: the decision review reads the scope of every live
 * and desired rule (10,000 rules × ~0.3 ms for the engine's JSON form would be seconds). The lexer never rejects
 * text, so a scope this reader does not understand is reported as not `exact`, and callers then treat the rule
 * as one that may match anything and let the engine decide: reading a scope wrongly may cost time, never a
 * wrong decision.
 */
import { codeTokens, decodeCedarString, statementShape } from "../cedar/lexer.js";
import type { Token } from "../cedar/lexer.js";
import { keyOf } from "./entity-keys.js";

/** Entities are keyed as `type \0 id` (`keyOf`, entity-keys.ts). */
export type EntityConstraint =
  | { op: "any" }
  | { op: "eq"; uid: string }
  | { op: "in"; uid: string }
  | { op: "is"; type: string; in?: string };

export type ActionConstraint = { op: "any" } | { op: "eq"; uid: string } | { op: "in"; uids: string[] };

export interface RuleScope {
  effect: "permit" | "forbid";
  principal: EntityConstraint;
  action: ActionConstraint;
  resource: EntityConstraint;
  /** Has `when` / `unless` clauses: only the engine can tell whether it matches (or errors). */
  conditional: boolean;
  /** False when the scope could not be read: then it is any/any/any and conditional. */
  exact: boolean;
}

const ANY: EntityConstraint = { op: "any" };

export function ruleScope(text: string): RuleScope {
  return scopeOfTokens(codeTokens(text));
}

/** The scope from a statement's code tokens (comments dropped), for callers that lex once. */
export function scopeOfTokens(tokens: readonly Token[]): RuleScope {
  const { effect, scopeEnd } = statementShape(tokens);
  const effectText = tokens[effect]?.text;
  const loose: RuleScope = {
    effect: effectText === "forbid" ? "forbid" : "permit",
    principal: ANY,
    action: { op: "any" },
    resource: ANY,
    conditional: true,
    exact: false,
  };
  if ((effectText !== "permit" && effectText !== "forbid") || tokens[effect + 1]?.text !== "(" || scopeEnd < 0) return loose;
  const parts = splitTopLevel(tokens.slice(effect + 2, scopeEnd));
  if (parts.length !== 3) return loose;
  const [p, a, r] = parts as [Token[], Token[], Token[]];
  const principal = entityConstraint(p, "principal");
  const action = actionConstraint(a);
  const resource = entityConstraint(r, "resource");
  if (!principal || !action || !resource) return loose;
  const rest = tokens.slice(scopeEnd + 1);
  return {
    effect: effectText,
    principal,
    action,
    resource,
    conditional: !(rest.length === 1 && rest[0]?.text === ";"),
    exact: true,
  };
}

/** Splits at commas outside brackets (the action list `[a, b]` holds commas). */
function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === "[" || t.text === "(") depth++;
    else if (t.text === "]" || t.text === ")") depth--;
    if (t.text === "," && depth === 0) parts.push([]);
    else parts[parts.length - 1]?.push(t);
  }
  return parts;
}

/** `A::B::"id"` at `tokens[i]`: the uid key and the index after it, or undefined. */
function literalAt(tokens: readonly Token[], i: number): { uid: string; next: number } | undefined {
  const path: string[] = [];
  let j = i;
  while (tokens[j]?.kind === "ident" && tokens[j + 1]?.text === "::") {
    path.push(tokens[j]?.text ?? "");
    j += 2;
  }
  const str = tokens[j];
  if (path.length === 0 || str?.kind !== "string") return undefined;
  const id = decodeCedarString(str.text, false);
  if (id === undefined) return undefined;
  return { uid: keyOf({ type: path.join("::"), id }), next: j + 1 };
}

/** `A::B` (a type name) at `tokens[i]`, not followed by `::`. */
function typeAt(tokens: readonly Token[], i: number): { type: string; next: number } | undefined {
  const path: string[] = [];
  let j = i;
  for (;;) {
    const t = tokens[j];
    if (t?.kind !== "ident") return undefined;
    path.push(t.text);
    if (tokens[j + 1]?.text !== "::" || tokens[j + 2]?.kind !== "ident") return { type: path.join("::"), next: j + 1 };
    j += 2;
  }
}

function entityConstraint(tokens: readonly Token[], variable: string): EntityConstraint | undefined {
  if (tokens[0]?.text !== variable) return undefined;
  if (tokens.length === 1) return ANY;
  const op = tokens[1]?.text;
  if (op === "==" || op === "in") {
    const lit = literalAt(tokens, 2);
    if (!lit || lit.next !== tokens.length) return undefined;
    return { op: op === "==" ? "eq" : "in", uid: lit.uid };
  }
  if (op === "is") {
    const t = typeAt(tokens, 2);
    if (!t) return undefined;
    if (t.next === tokens.length) return { op: "is", type: t.type };
    if (tokens[t.next]?.text !== "in") return undefined;
    const lit = literalAt(tokens, t.next + 1);
    if (!lit || lit.next !== tokens.length) return undefined;
    return { op: "is", type: t.type, in: lit.uid };
  }
  return undefined;
}

function actionConstraint(tokens: readonly Token[]): ActionConstraint | undefined {
  if (tokens[0]?.text !== "action") return undefined;
  if (tokens.length === 1) return { op: "any" };
  const op = tokens[1]?.text;
  if (op === "==" || (op === "in" && tokens[2]?.text !== "[")) {
    const lit = literalAt(tokens, 2);
    if (!lit || lit.next !== tokens.length) return undefined;
    return op === "==" ? { op: "eq", uid: lit.uid } : { op: "in", uids: [lit.uid] };
  }
  if (op !== "in" || tokens[tokens.length - 1]?.text !== "]") return undefined;
  const uids: string[] = [];
  let i = 3;
  while (i < tokens.length - 1) {
    const lit = literalAt(tokens, i);
    if (!lit) return undefined;
    uids.push(lit.uid);
    i = lit.next;
    if (tokens[i]?.text === ",") i++;
    else if (i !== tokens.length - 1) return undefined;
  }
  return { op: "in", uids };
}

/**
 * Every entity literal in a rule (scope and conditions) and every type named after `is`: what the universe takes
 * from rules. Literals are uid keys; types are type names.
 */
export function ruleNames(text: string): { literals: string[]; types: string[] } {
  return namesOfTokens(codeTokens(text));
}

/** Entity literals and `is` types from `from` on (0: the whole statement; after the scope: its conditions). */
export function namesOfTokens(tokens: readonly Token[], from = 0): { literals: string[]; types: string[] } {
  const literals: string[] = [];
  const types: string[] = [];
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (t?.kind !== "ident") continue;
    if (t.text === "is") {
      const named = typeAt(tokens, i + 1);
      if (named) types.push(named.type);
      continue;
    }
    // Only the start of a path: `A::B::"x"` is read once, at `A`.
    if (tokens[i - 1]?.text === "::") continue;
    const lit = literalAt(tokens, i);
    if (lit) {
      literals.push(lit.uid);
      i = lit.next - 1;
    }
  }
  return { literals, types };
}
