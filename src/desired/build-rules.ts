/**
 * A Cedar policy's `rules:` → DesiredRule[], each with its Cedar text and a locator that maps an offset in that
 * text back to the user's file: into the YAML scalar for `cedar:` and `when`/`unless`, into the `.cedar` file
 * for `rules: {file}`.
 */
import { formatAddress } from "../address/address.js";
import { assembleRule, parseEntityLiteral } from "../cedar/assemble.js";
import type { EntityScopeType, RuleScopeFields } from "../cedar/rule-fields.js";
import { splitStatements } from "../cedar/split.js";
import { diag, type Diagnostic, type SourcePosition } from "../diagnostics/diagnostic.js";
import type { CedarPolicyFile, StructuredRuleFile } from "./file-format.generated.js";
import { LineIndex } from "./line-index.js";
import type { DesiredRule, Locator } from "./types.js";
import { lazyScalarLocator, positionOf, scalarLocator, yamlFileRef, type PathItem, type YamlFile, type YamlFileRef } from "./yaml-file.js";

export type ReadText = (
  fromFile: string,
  relPath: string,
  loc: SourcePosition,
  what: string,
) => { path: string; text: string } | { error: Diagnostic };

export function buildRules(
  y: YamlFile,
  policy: string,
  rules: CedarPolicyFile["rules"],
  path: PathItem[],
  readText: ReadText,
  diagnostics: Diagnostic[],
): DesiredRule[] {
  const address = (ordinal: number): string => formatAddress({ kind: "cedar-rule", policy, ordinal });
  if (!Array.isArray(rules)) {
    const loc = positionOf(y, [...path, "file"]);
    const read = readText(y.file, rules.file, loc, "the Cedar rules file");
    if ("error" in read) {
      diagnostics.push(read.error);
      return [];
    }
    const lines = new LineIndex(read.path, read.text);
    const statements = splitStatements(read.text);
    if (statements.length === 0) {
      diagnostics.push(
        diag("cedar-empty-file", `the Cedar rules file ${read.path} holds no statement`, loc, {
          address: formatAddress({ kind: "cedar-policy", name: policy }),
          hint: "add at least one `permit (…);` or `forbid (…);`, or write `rules: []`",
        }),
      );
    }
    return statements.map((s, i) => ({
      address: address(i + 1),
      ordinal: i + 1,
      form: "file" as const,
      text: s.text,
      loc: lines.position(s.start),
      locate: fileRuleLocator(lines, s.start),
    }));
  }
  // Locators outlive the parsed file: they reach it through a handle, never by holding the document.
  const ref = yamlFileRef(y);
  return rules.map((r, i) => {
    const at: PathItem[] = [...path, i];
    const loc = positionOf(y, at);
    const base = { address: address(i + 1), ordinal: i + 1, loc };
    const rule: DesiredRule =
      r.cedar !== undefined
        ? { ...base, form: "cedar", text: r.cedar.trimEnd(), locate: lazyScalarLocator(ref, [...at, "cedar"]) }
        : structured(y, ref, r, at, base, diagnostics);
    if (r.notice !== undefined) rule.notice = r.notice;
    if (r.auditSession !== undefined) rule.auditSession = r.auditSession;
    return rule;
  });
}

function structured(
  y: YamlFile,
  ref: YamlFileRef,
  r: StructuredRuleFile,
  at: PathItem[],
  base: { address: string; ordinal: number; loc: SourcePosition },
  diagnostics: Diagnostic[],
): DesiredRule {
  let malformed = false;
  const entity = (key: "principal" | "resource"): { type: EntityScopeType; entityType: string | null; entityId: string | null } => {
    const scope = r[key];
    if (!scope) return { type: "any", entityType: null, entityId: null };
    const literal = (field: "eq" | "in", text: string): { type: string; id: string } | undefined => {
      const parsed = parseEntityLiteral(text);
      if (!parsed) {
        malformed = true;
        diagnostics.push(
          diag("cedar-entity", `\`${text}\` is not a Cedar entity literal`, positionOf(y, [...at, key, field]), {
            address: base.address,
            hint: 'write it as Type::"id", e.g. User::"alice" (namespaced types: Ns::Type::"id")',
          }),
        );
      }
      return parsed;
    };
    if (scope.is !== undefined) {
      if (scope.in !== undefined) {
        literal("in", scope.in);
        return { type: "is_in", entityType: scope.is, entityId: scope.in };
      }
      return { type: "is", entityType: scope.is, entityId: null };
    }
    // Without `is`, the schema leaves exactly one of `eq` and `in` (it refuses an empty scope).
    const field = scope.eq !== undefined ? "eq" : "in";
    const lit = literal(field, scope[field] ?? "");
    return { type: field, entityType: lit?.type ?? null, entityId: lit?.id ?? null };
  };
  const principal = entity("principal");
  const resource = entity("resource");
  const action = r.action;
  const clauses: { kind: "when" | "unless"; expr: string; path: PathItem[] }[] = [];
  for (const kind of ["when", "unless"] as const) {
    const c = r[kind];
    if (typeof c === "string") clauses.push({ kind, expr: c, path: [...at, kind] });
    else c?.forEach((expr, i) => clauses.push({ kind, expr, path: [...at, kind, i] }));
  }
  // Each clause's expression stands at a known offset inside `conditions`, so engine errors map back into it.
  let conditions = "";
  const spans: { start: number; end: number; path: PathItem[] }[] = [];
  for (const c of clauses) {
    if (conditions) conditions += " ";
    conditions += `${c.kind} { `;
    spans.push({ start: conditions.length, end: conditions.length + c.expr.length, path: c.path });
    conditions += c.expr + " }";
  }
  const fields: RuleScopeFields = {
    effect: r.effect,
    principal_scope_type: principal.type,
    principal_entity_type: principal.entityType,
    principal_entity_id: principal.entityId,
    action_scope_type: !action ? "any" : action.eq !== undefined ? "eq" : "in",
    action_ids: !action ? [] : action.eq !== undefined ? [action.eq] : (action.in ?? []),
    resource_scope_type: resource.type,
    resource_entity_type: resource.entityType,
    resource_entity_id: resource.entityId,
    conditions: conditions === "" ? null : conditions,
  };
  // A malformed literal is reported above; there is no rule text to assemble then (the load fails anyway).
  const text = malformed ? "" : assembleRule(fields);
  const conditionsAt = conditions === "" ? -1 : text.lastIndexOf(conditions);
  const heads = scopeHeads(text);
  const locate = structuredLocator({ ref, at, base, text, spans, conditionsAt, heads, action, principal: r.principal, resource: r.resource });
  return { ...base, form: "structured", text, fields, locate };
}

/** A `.cedar` file rule's locator: an offset in the rule is an offset in the file. */
function fileRuleLocator(lines: LineIndex, start: number): Locator {
  return (offset) => lines.position(start + offset);
}

interface StructuredPlaces {
  ref: YamlFileRef;
  at: PathItem[];
  base: { loc: SourcePosition };
  text: string;
  spans: { start: number; end: number; path: PathItem[] }[];
  conditionsAt: number;
  heads: { principal: number; action?: number; resource?: number };
  action: StructuredRuleFile["action"];
  principal: StructuredRuleFile["principal"];
  resource: StructuredRuleFile["resource"];
}

/**
 * A structured rule's locator, made at the top level on purpose: a closure keeps its whole enclosing scope alive,
 * and the builder's scope holds the parsed file. This one holds only what it needs (the file through its handle).
 */
function structuredLocator(places: StructuredPlaces): Locator {
  const { ref, at, base, text, spans, conditionsAt, heads, action, principal, resource } = places;
  return (offset: number): SourcePosition => {
    if (conditionsAt >= 0 && offset >= conditionsAt) {
      const inConditions = offset - conditionsAt;
      // An error just past an expression (at the ` }` the assembler adds) belongs to that expression's end.
      for (const s of spans) {
        if (inConditions >= s.start && inConditions <= s.end + 2) return scalarLocator(ref(), s.path)(Math.min(inConditions - s.start, s.end - s.start));
      }
      return base.loc;
    }
    // In the scope: the field the error falls in (principal, action — which list item —, resource).
    const part = heads.action !== undefined && offset >= heads.action ? (heads.resource !== undefined && offset >= heads.resource ? "resource" : "action") : "principal";
    if (part === "action") {
      if (!action) return base.loc;
      if (action.in !== undefined) {
        const before = text.slice(heads.action, offset);
        const item = Math.min((before.match(/,/g) ?? []).length, action.in.length - 1);
        return positionOf(ref(), [...at, "action", "in", Math.max(0, item)]);
      }
      return positionOf(ref(), [...at, "action", "eq"]);
    }
    const scope = part === "principal" ? principal : resource;
    if (!scope) return base.loc;
    const start = part === "principal" ? heads.principal : heads.resource!;
    const key = "is" in scope && "in" in scope ? (/\bin\b/.test(text.slice(start, offset).replace(/^\w+/, "")) ? "in" : "is") : Object.keys(scope)[0]!;
    return positionOf(ref(), [...at, part, key]);
  };
}

/** Offsets of the `principal`, `action` and `resource` keywords in an assembled rule's scope. */
function scopeHeads(text: string): { principal: number; action?: number; resource?: number } {
  const open = text.indexOf("(");
  const heads: { principal: number; action?: number; resource?: number } = { principal: Math.max(0, open + 1) };
  // The assembler writes `(principal…, action…, resource…)`; the separators are found after the previous head.
  const a = text.indexOf(", action", open);
  if (a >= 0) heads.action = a + 2;
  const r = text.indexOf(", resource", a >= 0 ? a + 2 : open);
  if (r >= 0) heads.resource = r + 2;
  return heads;
}
