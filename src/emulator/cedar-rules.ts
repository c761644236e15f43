/**
 * Rule bodies → stored rule fields, through the project's one Cedar engine module (src/cedar): the assembler
 * for structured fields, the decomposer for `policy_text`, the splitter for `cedar_policy_set`. As the vendor
 * documents, a rule is stored as its structured fields and its `policy_text` is assembled from them on every
 * answer: posted text is decomposed (annotations, comments and layout dropped; the conditions re-printed by the
 * engine), never kept. This file is the emulator's only door to src/cedar for rules, so a change there is adapted
 * here alone.
 */

import { RuleFieldsError, assembleRule } from "../cedar/assemble.js";
import { decomposeRule, decomposeStored } from "../cedar/decompose.js";
import type { ActionScopeType, EntityScopeType, RuleScopeFields } from "../cedar/rule-fields.js";
import { RULE_SCOPE_KEYS, scopeFieldsOf } from "../cedar/rule-fields.js";
import { splitStatements } from "../cedar/split.js";
import type { Body } from "./body-fields.js";
import { ApiError, badRequest } from "./errors.js";

const ENTITY_SCOPES: readonly EntityScopeType[] = ["any", "eq", "in", "is", "is_in"];
const ACTION_SCOPES: readonly ActionScopeType[] = ["any", "eq", "in"];

/** 1-based line and column of a UTF-16 offset, for humans reading `details`. */
function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

function invalidCedar(message: string, text: string, start?: number, end?: number, extra: Record<string, unknown> = {}): ApiError {
  const details: Record<string, unknown> = { parser_message: message, ...extra };
  if (start !== undefined) {
    details.start = start;
    details.end = end ?? start;
    Object.assign(details, lineCol(text, start));
  }
  return new ApiError(400, "invalid_cedar", `Invalid Cedar policy: ${message}`, details);
}

/**
 * A stored rule's `policy_text`: assembled from its fields on every answer, as the service does. Assembling
 * re-lexes the conditions, and every policy read, rules page and evaluate call asks again for every rule: the
 * text is kept per distinct fields (keyed by their JSON, so an edited rule is a new key and never answers stale
 * text); the table is emptied when it grows past what any test or bench tenant holds.
 */
export function ruleText(rule: RuleScopeFields): string {
  const fields = scopeFieldsOf(rule);
  const key = JSON.stringify(fields);
  let text = assembled.get(key);
  if (text === undefined) {
    if (assembled.size >= ASSEMBLED_KEPT) assembled.clear();
    text = assembleRule(fields);
    assembled.set(key, text);
  }
  return text;
}

const assembled = new Map<string, string>();
const ASSEMBLED_KEPT = 250_000;

/**
 * One statement posted as text → the fields it is stored as. Text that does not parse, or that holds other than
 * one statement, is a 400 `invalid_cedar` with the parser's message and location.
 */
export function ruleFromText(text: string): RuleScopeFields {
  const result = decomposeStored(text);
  if (!result.ok) throw invalidCedar(result.message, text, result.start, result.end);
  return result.fields;
}

/** Structured fields: assembled by the shared assembler, then parsed so bad conditions are refused. */
export function ruleFromFields(fields: RuleScopeFields): RuleScopeFields {
  let text: string;
  try {
    text = assembleRule(fields);
  } catch (error) {
    if (error instanceof RuleFieldsError) throw badRequest(error.message);
    throw error;
  }
  const result = decomposeRule(text);
  if (!result.ok) {
    throw invalidCedar(result.message, text, result.start, result.end, { policy_text: text });
  }
  return fields;
}

/** `cedar_policy_set`: every statement becomes a rule; one bad statement refuses the whole create. */
export function rulesFromPolicySet(setText: string): RuleScopeFields[] {
  return splitStatements(setText).map((statement, index) => {
    const result = decomposeStored(statement.text);
    if (!result.ok) {
      const start = result.start === undefined ? statement.start : statement.start + result.start;
      const end = result.end === undefined ? undefined : statement.start + result.end;
      throw invalidCedar(result.message, setText, start, end, { statement: index + 1 });
    }
    return result.fields;
  });
}

export function hasStructuredFields(body: Body): boolean {
  return RULE_SCOPE_KEYS.some((f) => body[f] !== undefined);
}

function oneOf<T extends string>(body: Body, field: string, allowed: readonly T[]): T | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !allowed.includes(v as T)) {
    throw badRequest(`${field} must be one of ${allowed.join(", ")}`);
  }
  return v as T;
}

function nullableString(body: Body, field: string): string | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v;
  if (typeof v !== "string") throw badRequest(`${field} must be a string or null`);
  return v;
}

function entityScope(
  body: Body,
  variable: "principal" | "resource",
  base: RuleScopeFields | undefined,
): { scope: EntityScopeType; type: string | null; id: string | null } {
  const scopeField = `${variable}_scope_type` as const;
  const given = oneOf(body, scopeField, ENTITY_SCOPES);
  const scope = given ?? base?.[scopeField] ?? "any";
  const givenType = nullableString(body, `${variable}_entity_type`);
  const givenId = nullableString(body, `${variable}_entity_id`);
  // When a PATCH changes the scope type, the old type/id carry over only where the new scope uses them.
  const keepType = scope !== "any";
  const keepId = scope === "eq" || scope === "in" || scope === "is_in";
  const type = givenType !== undefined ? givenType : keepType ? (base?.[`${variable}_entity_type`] ?? null) : null;
  const id = givenId !== undefined ? givenId : keepId ? (base?.[`${variable}_entity_id`] ?? null) : null;
  if (!keepType && type !== null) throw badRequest(`${variable}_entity_type must be null when ${scopeField} is "any"`);
  if (!keepId && id !== null) throw badRequest(`${variable}_entity_id must be null when ${scopeField} is "${scope}"`);
  return { scope, type, id };
}

/**
 * The structured fields of a create (base undefined: API defaults) or a PATCH (merged over the rule's current
 * fields). Shapes are checked here; completeness (e.g. `eq` without an id) is the assembler's call.
 */
export function readStructuredFields(body: Body, base: RuleScopeFields | undefined): RuleScopeFields {
  const effect = oneOf(body, "effect", ["permit", "forbid"] as const) ?? base?.effect;
  if (effect === undefined) throw badRequest("missing field: effect (or policy_text)");
  const principal = entityScope(body, "principal", base);
  const resource = entityScope(body, "resource", base);
  const actionScope = oneOf(body, "action_scope_type", ACTION_SCOPES) ?? base?.action_scope_type ?? "any";
  let actionIds: string[];
  const rawIds = body.action_ids;
  if (rawIds === undefined || rawIds === null) {
    actionIds = actionScope === "any" ? [] : (base?.action_ids ?? []);
  } else if (!Array.isArray(rawIds) || rawIds.some((x) => typeof x !== "string" || x === "")) {
    throw badRequest("action_ids must be an array of non-empty strings");
  } else {
    actionIds = rawIds as string[];
  }
  if (actionScope === "any" && actionIds.length > 0) throw badRequest('action_ids must be empty when action_scope_type is "any"');
  const givenConditions = nullableString(body, "conditions");
  const conditions = givenConditions !== undefined ? givenConditions : (base?.conditions ?? null);
  return {
    effect,
    principal_scope_type: principal.scope,
    principal_entity_type: principal.type,
    principal_entity_id: principal.id,
    action_scope_type: actionScope,
    action_ids: actionIds,
    resource_scope_type: resource.scope,
    resource_entity_type: resource.type,
    resource_entity_id: resource.id,
    conditions: conditions === null || conditions.trim() === "" ? null : conditions,
  };
}
