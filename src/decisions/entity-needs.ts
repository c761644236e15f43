/**
 * Whether a rule's conditions read the data of entities other than the request's own. The engine's cost per
 * request grows with every entity it is given (≈12 µs each, more than a rule), and most rules read only
 * `principal.x`, `resource.y`, `context.z`, `principal in …`: then the request's entities and the inner links of
 * their ancestry are all evaluation can touch (`EntityIndex.ancestry`).
 *
 * Conservative by construction: any member access, index, `has`, `in` or `is` whose left operand is not one of
 * the four variables (`resource.owner.level`, `(…).x`, `User::"a".x`, `context.user in …`) could reach an entity
 * named by an attribute or a literal, and the rule is "deep" — the whole reachable set is given, as for the
 * access tests.
 */
import { codeTokens, statementShape } from "../cedar/lexer.js";
import type { Token } from "../cedar/lexer.js";

const VARIABLES = new Set(["principal", "resource", "action", "context"]);
const OPERATORS = new Set(["has", "in", "is"]);
/** Words after which `[` opens a set literal, not an index. */
const KEYWORDS = new Set(["in", "has", "like", "is", "if", "then", "else", "when", "unless", "true", "false"]);

export function readsOnlyRequestEntities(text: string): boolean {
  return readsOnlyRequestEntitiesOf(codeTokens(text));
}

/** The same, from a statement's code tokens. */
export function readsOnlyRequestEntitiesOf(tokens: readonly Token[]): boolean {
  const { scopeEnd } = statementShape(tokens);
  if (scopeEnd < 0) return false;
  for (let i = scopeEnd + 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const access = (t.kind === "punct" && (t.text === "." || (t.text === "[" && isIndex(tokens[i - 1])))) || (t.kind === "ident" && OPERATORS.has(t.text));
    if (access && !isVariable(tokens, i - 1)) return false;
  }
  return true;
}

/** The token at `i` is a bare variable (not an attribute that happens to be named `principal`). */
function isVariable(tokens: readonly Token[], i: number): boolean {
  const t = tokens[i];
  return t?.kind === "ident" && VARIABLES.has(t.text) && tokens[i - 1]?.text !== ".";
}

/** `[` after the end of an expression indexes it; after an operator or an opening it starts a set literal. */
function isIndex(prev: Token | undefined): boolean {
  if (!prev) return false;
  if (prev.kind === "ident") return !KEYWORDS.has(prev.text);
  return prev.kind === "string" || prev.kind === "number" || prev.text === ")" || prev.text === "]" || prev.text === "}";
}
