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

export interface StructuredForm {
  effect: "permit" | "forbid";
  principal?: Record<string, string>;
  action?: { eq: string } | { in: string[] };
  resource?: Record<string, string>;
  when: string[];
  unless: string[];
}

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

function scope(type: RuleScopeFields["principal_scope_type"], entityType: string | null, entityId: string | null): Record<string, string> | undefined | null {
  switch (type) {
    case "any":
      return undefined;
    case "eq":
    case "in":
      return entityType !== null && entityId !== null ? { [type]: entityLiteral(entityType, entityId) } : null;
    case "is":
      return entityType !== null ? { is: entityType } : null;
    case "is_in":
      return entityType !== null && entityId !== null ? { is: entityType, in: entityId } : null;
  }
}

export function structuredForm(text: string): StructuredForm | undefined {
  const d = decomposeRule(text);
  if (!d.ok || Object.keys(d.annotations).length > 0) return undefined;
  const f = d.fields;
  const clauses = splitClauses(f.conditions);
  const principal = scope(f.principal_scope_type, f.principal_entity_type, f.principal_entity_id);
  const resource = scope(f.resource_scope_type, f.resource_entity_type, f.resource_entity_id);
  if (!clauses || principal === null || resource === null) return undefined;
  const form: StructuredForm = {
    effect: d.effect,
    when: clauses.filter((c) => c.kind === "when").map((c) => c.body),
    unless: clauses.filter((c) => c.kind === "unless").map((c) => c.body),
  };
  if (principal) form.principal = principal;
  if (resource) form.resource = resource;
  if (f.action_scope_type === "eq" && f.action_ids.length === 1) form.action = { eq: f.action_ids[0]! };
  else if (f.action_scope_type === "in") form.action = { in: [...f.action_ids] };
  else if (f.action_scope_type !== "any") return undefined;
  // The proof: what the loader would assemble from this form means the same as the live rule.
  const conditions = [...form.when.map((w) => `when { ${w} }`), ...form.unless.map((u) => `unless { ${u} }`)].join(" ");
  const reassembled = assembleRule({ ...f, conditions: conditions === "" ? null : conditions });
  return sameRule(reassembled, text) ? form : undefined;
}
