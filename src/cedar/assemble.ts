/**
 * Structured rule fields → Cedar text, exactly as docs/services.md ("How structured rules become Cedar text") says.
 * There is one assembler: accessctl uses it to build `policy_text`, and the emulator uses it for rules posted
 * as fields, so both sides agree byte for byte.
 */
import { codeTokens, decodeCedarString, encodeCedarString, lex } from "./lexer.js";
import type { EntityScopeType, RuleScopeFields } from "./rule-fields.js";

/** Fields that cannot be assembled (a missing type or id, `eq` with other than one action). */
export class RuleFieldsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuleFieldsError";
  }
}

/** `User::"alice"`; the id is a Cedar string literal with `"` and `\` escaped. */
export function entityLiteral(type: string, id: string): string {
  return `${type}::${encodeCedarString(id)}`;
}

export interface EntityRef {
  type: string;
  id: string;
}

/**
 * Parses `Type::"id"` (the type may be namespaced, `A::B::"id"`; whitespace and comments between tokens are
 * allowed, as in Cedar). Undefined when the text is anything else.
 */
export function parseEntityLiteral(text: string): EntityRef | undefined {
  const tokens = codeTokens(text);
  const last = tokens[tokens.length - 1];
  if (tokens.length < 3 || last?.kind !== "string") return undefined;
  const path: string[] = [];
  for (let i = 0; i < tokens.length - 1; i += 2) {
    const name = tokens[i];
    const sep = tokens[i + 1];
    if (name?.kind !== "ident" || sep?.text !== "::") return undefined;
    path.push(name.text);
  }
  // `\*` is a `like`-pattern escape, not a valid escape in an entity id.
  const id = decodeCedarString(last.text, false);
  if (id === undefined) return undefined;
  return { type: path.join("::"), id };
}

/** Cedar text of one rule. Throws RuleFieldsError when the fields are incomplete. */
export function assembleRule(fields: RuleScopeFields): string {
  const principal = entityScope(
    "principal",
    fields.principal_scope_type,
    fields.principal_entity_type,
    fields.principal_entity_id,
  );
  const resource = entityScope(
    "resource",
    fields.resource_scope_type,
    fields.resource_entity_type,
    fields.resource_entity_id,
  );
  const head = `${fields.effect}(${principal}, ${actionScope(fields)}, ${resource})`;
  const conditions = fields.conditions;
  if (conditions === null || conditions.trim() === "") return `${head};`;
  // Conditions are verbatim; only if they end inside a `//` comment does the `;` need a line of its own.
  const tokens = lex(conditions);
  const endsInComment = tokens[tokens.length - 1]?.kind === "comment";
  return `${head} ${conditions}${endsInComment ? "\n" : ""};`;
}

function entityScope(
  variable: "principal" | "resource",
  scope: EntityScopeType,
  type: string | null,
  id: string | null,
): string {
  switch (scope) {
    case "any":
      return variable;
    case "eq":
    case "in": {
      if (!type || id === null) {
        throw new RuleFieldsError(`${variable}_scope_type "${scope}" needs ${variable}_entity_type and ${variable}_entity_id`);
      }
      return `${variable} ${scope === "eq" ? "==" : "in"} ${entityLiteral(type, id)}`;
    }
    case "is":
      if (!type) throw new RuleFieldsError(`${variable}_scope_type "is" needs ${variable}_entity_type`);
      return `${variable} is ${type}`;
    case "is_in": {
      if (!type || !id) {
        throw new RuleFieldsError(`${variable}_scope_type "is_in" needs ${variable}_entity_type and ${variable}_entity_id`);
      }
      if (!parseEntityLiteral(id)) {
        throw new RuleFieldsError(
          `${variable}_entity_id must be a whole entity literal such as Group::"eng" for "is_in", got ${JSON.stringify(id)}`,
        );
      }
      return `${variable} is ${type} in ${id}`;
    }
  }
}

function actionItem(item: string): string {
  return item.includes("::") ? item : entityLiteral("Action", item);
}

function actionScope(fields: RuleScopeFields): string {
  switch (fields.action_scope_type) {
    case "any":
      return "action";
    case "eq": {
      const [only, ...rest] = fields.action_ids;
      if (only === undefined || rest.length > 0) {
        throw new RuleFieldsError(`action_scope_type "eq" needs exactly one action id, got ${fields.action_ids.length}`);
      }
      return `action == ${actionItem(only)}`;
    }
    case "in":
      return `action in [${fields.action_ids.map(actionItem).join(", ")}]`;
  }
}
