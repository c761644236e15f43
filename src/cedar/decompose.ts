/**
 * Cedar text of one rule → the structured fields the Cedar policy API carries (the reverse of `assemble.ts`).
 * The scope comes from the engine's JSON form, so it is exactly what Cedar understood. The conditions are
 * sliced from the original text (from the first token after the scope's closing parenthesis to the last
 * token before the final `;`) rather than re-printed by the engine: that keeps the user's formatting and
 * comments, and re-assembling gives the same policy.
 */
import { entityLiteral } from "./assemble.js";
import { policyToJson, policyToText } from "./engine.js";
import type { EntityUidJson, PolicyJson } from "./engine.js";
import { codeTokens, statementShape } from "./lexer.js";
import { errorSpan } from "./offsets.js";
import type { Effect, EntityScopeType, RuleScopeFields } from "./rule-fields.js";

/** Annotation values; `@name` without a value is null. */
export type Annotations = Record<string, string | null>;

export type DecomposeResult =
  | { ok: true; fields: RuleScopeFields; effect: Effect; annotations: Annotations; json: PolicyJson }
  | { ok: false; message: string; start?: number; end?: number };

const PARSE_PREFIX = /^failed to parse policy from string: /;

/** Decomposes exactly one Cedar statement. Offsets in an error are UTF-16 offsets into `text`. */
export function decomposeRule(text: string): DecomposeResult {
  if (codeTokens(text).length === 0) {
    return { ok: false, message: "expected one Cedar statement, found none" };
  }
  // The engine itself rejects a second statement ("unexpected token `permit`") with its location.
  const answer = policyToJson(text);
  if (answer.type !== "success") {
    const first = answer.errors[0];
    const message = (first?.message ?? "the Cedar text does not parse").replace(PARSE_PREFIX, "");
    const span = first ? errorSpan(first, text) : undefined;
    return { ok: false, message, ...span };
  }
  const json = answer.json;
  const fields = fieldsOf(json, conditionsText(text));
  const annotations: Annotations = {};
  for (const [k, v] of Object.entries(json.annotations ?? {})) annotations[k] = v ?? null;
  return { ok: true, fields, effect: json.effect, annotations, json };
}

/**
 * Decomposes one statement the way a service that stores rules as fields keeps it (docs/services.md#rules-and-their-text):
 * the scope as fields, and the conditions re-printed by the engine from the JSON form, so the user's comments and
 * layout are gone (annotations never reach the fields). Re-assembled, the fields parse to the same policy, its
 * annotations left out. Two engine calls; the emulator's door for posted text.
 */
export function decomposeStored(text: string): DecomposeResult {
  const result = decomposeRule(text);
  if (!result.ok || result.fields.conditions === null) return result;
  const { annotations: _annotations, ...json } = result.json;
  const printed = policyToText(json);
  if (printed.type !== "success") throw new Error(`bug: the engine cannot print a policy it parsed: ${printed.errors[0]?.message ?? "?"}`);
  return { ...result, fields: { ...result.fields, conditions: conditionsText(printed.text) } };
}

function uid(e: EntityUidJson): { type: string; id: string } {
  return "__entity" in e ? e.__entity : e;
}

type ScopeConstraint = PolicyJson["principal"] | PolicyJson["resource"];

function entityScope(c: ScopeConstraint): { scope: EntityScopeType; type: string | null; id: string | null } {
  switch (c.op) {
    case "All":
      return { scope: "any", type: null, id: null };
    case "==":
    case "in": {
      // A slot (`?principal`) only occurs in templates, which the engine refuses as a static policy.
      if (!("entity" in c)) throw new Error(`bug: template slot in a static policy scope`);
      const e = uid(c.entity);
      return { scope: c.op === "==" ? "eq" : "in", type: e.type, id: e.id };
    }
    case "is": {
      if (!c.in) return { scope: "is", type: c.entity_type, id: null };
      if (!("entity" in c.in)) throw new Error(`bug: template slot in a static policy scope`);
      const e = uid(c.in.entity);
      return { scope: "is_in", type: c.entity_type, id: entityLiteral(e.type, e.id) };
    }
  }
}

/** Bare id for `Action::"a"` (as users write it); a whole literal when a bare id would not read back the same. */
function actionItem(e: EntityUidJson): string {
  const { type, id } = uid(e);
  return type === "Action" && !id.includes("::") ? id : entityLiteral(type, id);
}

function fieldsOf(json: PolicyJson, conditions: string | null): RuleScopeFields {
  const p = entityScope(json.principal);
  const r = entityScope(json.resource);
  const a = json.action;
  let actionScope: RuleScopeFields["action_scope_type"] = "any";
  let actionIds: string[] = [];
  if (a.op === "==") {
    if (!("entity" in a)) throw new Error(`bug: template slot in a static policy scope`);
    actionScope = "eq";
    actionIds = [actionItem(a.entity)];
  } else if (a.op === "in") {
    actionScope = "in";
    actionIds = "entities" in a ? a.entities.map(actionItem) : [actionItem(a.entity)];
  }
  return {
    effect: json.effect,
    principal_scope_type: p.scope,
    principal_entity_type: p.type,
    principal_entity_id: p.id,
    action_scope_type: actionScope,
    action_ids: actionIds,
    resource_scope_type: r.scope,
    resource_entity_type: r.type,
    resource_entity_id: r.id,
    conditions,
  };
}

/**
 * The `when`/`unless` clauses of a statement that the engine accepted, verbatim, or null for none.
 * Ends at the last token's end, so a trailing `// comment` before the `;` is not carried along.
 */
function conditionsText(text: string): string | null {
  const tokens = codeTokens(text);
  const { scopeEnd } = statementShape(tokens);
  const first = tokens[scopeEnd + 1];
  const last = tokens[tokens.length - 2]; // the token before the final `;`
  if (scopeEnd < 0 || !first || !last || first.text === ";" || last.end <= first.start) return null;
  return text.slice(first.start, last.end);
}
