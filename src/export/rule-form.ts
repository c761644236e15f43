/**
 * A live rule in the form a person would write: structured fields when they say exactly the same thing (no
 * annotations, conditions that are plain `when`/`unless` clauses, and the re-assembled rule equal to the live one
 * by the engine), a whole `cedar:` statement otherwise.
 */
import { assembleRule, entityLiteral } from "../cedar/assemble.js";
import { sameRule } from "../cedar/canonical.js";
import { decomposeRule } from "../cedar/decompose.js";
import { lex } from "../cedar/lexer.js";
import type { RuleScopeFields } from "../cedar/rule-fields.js";
import type { ActionScopeFile, EntityScopeFile, RuleFile, StructuredRuleFile } from "../desired/file-format.generated.js";
import type { LiveCedarRule } from "../live/types.js";

/** Splits `when { … } unless { … }` into clauses; undefined when the text is anything else. */
export function splitClauses(conditions: string | null): { kind: "when" | "unless"; body: string }[] | undefined {
  if (conditions === null || conditions.trim() === "") return [];
  const tokens = lex(conditions);
  const out: { kind: "when" | "unless"; body: string }[] = [];
  let i = 0;
  const code = (): (typeof tokens)[number] | undefined => {
    while (tokens[i]?.kind === "comment") i++;
    return tokens[i];
  };
  while (code()) {
    const kw = tokens[i]!;
    if (kw.kind !== "ident" || (kw.text !== "when" && kw.text !== "unless")) return undefined;
    i++;
    const open = code();
    if (open?.text !== "{") return undefined;
    let depth = 0;
    let close = -1;
    for (let j = i; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.kind === "comment") continue;
      if (t.text === "{") depth++;
      else if (t.text === "}" && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close < 0) return undefined;
    const body = conditions.slice(open.end, tokens[close]!.start).trim();
    if (body === "" || body.includes("\n")) return undefined;
    out.push({ kind: kw.text, body });
    i = close + 1;
  }
  // Assembled rules list every `when` before every `unless`; another order cannot be written structurally.
  const firstUnless = out.findIndex((c) => c.kind === "unless");
  if (firstUnless >= 0 && out.slice(firstUnless).some((c) => c.kind === "when")) return undefined;
  return out;
}

function scope(type: RuleScopeFields["principal_scope_type"], entityType: string | null, entityId: string | null): EntityScopeFile | undefined | null {
  switch (type) {
    case "any":
      return undefined;
    case "eq":
    case "in":
      return entityType !== null && entityId !== null ? (type === "eq" ? { eq: entityLiteral(entityType, entityId) } : { in: entityLiteral(entityType, entityId) }) : null;
    case "is":
      return entityType !== null ? { is: entityType } : null;
    case "is_in":
      return entityType !== null && entityId !== null ? { is: entityType, in: entityId } : null;
  }
}

function actionScope(type: RuleScopeFields["action_scope_type"], ids: readonly string[]): ActionScopeFile | undefined | null {
  if (type === "any") return undefined;
  if (type === "in") return { in: [...ids] };
  return type === "eq" && ids.length === 1 ? { eq: ids[0]! } : null;
}

/** One condition as a single expression, several as a list (one clause each); none: the key is left out. */
function conditionValue(list: string[]): string | string[] | undefined {
  return list.length === 0 ? undefined : list.length === 1 ? list[0] : list;
}

/** The rule's structured fields in file order (effect, principal, action, resource, when, unless), or undefined. */
export function structuredForm(text: string): StructuredRuleFile | undefined {
  const d = decomposeRule(text);
  if (!d.ok || Object.keys(d.annotations).length > 0) return undefined;
  const f = d.fields;
  const clauses = splitClauses(f.conditions);
  const principal = scope(f.principal_scope_type, f.principal_entity_type, f.principal_entity_id);
  const action = actionScope(f.action_scope_type, f.action_ids);
  const resource = scope(f.resource_scope_type, f.resource_entity_type, f.resource_entity_id);
  if (!clauses || principal === null || action === null || resource === null) return undefined;
  const when = clauses.filter((c) => c.kind === "when").map((c) => c.body);
  const unless = clauses.filter((c) => c.kind === "unless").map((c) => c.body);
  // The proof: what the loader would assemble from this form means the same as the live rule.
  const conditions = [...when.map((w) => `when { ${w} }`), ...unless.map((u) => `unless { ${u} }`)].join(" ");
  const reassembled = assembleRule({ ...f, conditions: conditions === "" ? null : conditions });
  if (!sameRule(reassembled, text)) return undefined;
  const form: StructuredRuleFile = { effect: d.effect };
  if (principal) form.principal = principal;
  if (action) form.action = action;
  if (resource) form.resource = resource;
  const whenValue = conditionValue(when);
  if (whenValue !== undefined) form.when = whenValue;
  const unlessValue = conditionValue(unless);
  if (unlessValue !== undefined) form.unless = unlessValue;
  return form;
}

/**
 * A live rule as a file's rule: structured when that says the same, one `cedar:` statement otherwise; `notice` and
 * `auditSession` only when they differ from the API's defaults (left out, they keep the live value).
 */
export function ruleFile(rule: LiveCedarRule): RuleFile {
  const form: RuleFile = structuredForm(rule.text) ?? { cedar: rule.text.trim() };
  if (rule.notice !== null) form.notice = rule.notice;
  if (!rule.auditSession) form.auditSession = false;
  return form;
}
