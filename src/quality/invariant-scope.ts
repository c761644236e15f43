/**
 * `cedar.invariants` as written → invariants with their scope as a rule's (`permit(<scope>);`), each with its
 * place. The scope forms are the structured rule's (docs/file-format.md#rules): `{eq: E}`, `{in: E}`, `{is: T}`,
 * `{is: T, in: E}`, omitted = any; action `{eq: a}` / `{in: [a, b]}`, a bare id meaning `Action::"a"`. The text is
 * assembled by the one assembler, so an invariant matches exactly the requests a rule of the same scope matches.
 */
import { assembleRule, parseEntityLiteral } from "../cedar/assemble.js";
import type { EntityScopeType, RuleScopeFields } from "../cedar/rule-fields.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { EntityScopeFile, InvariantFile } from "../desired/file-format.generated.js";
import type { DesiredInvariant } from "../desired/types.js";
import { positionOf, type PathItem, type YamlFile } from "../desired/yaml-file.js";

/** Every invariant of one file; a malformed entity literal is an error at its field (the invariant is kept, without text). */
export function buildInvariants(y: YamlFile, list: readonly InvariantFile[], diagnostics: Diagnostic[]): DesiredInvariant[] {
  return list.map((inv, i) => {
    const at: PathItem[] = ["cedar", "invariants", i];
    const bad = (path: PathItem[], text: string) =>
      diagnostics.push(
        diag("cedar-entity", `\`${text}\` is not a Cedar entity literal (invariant \`${inv.name}\`)`, positionOf(y, [...at, ...path]), {
          hint: 'write it as Type::"id", e.g. User::"alice"; an action may also be a bare id (delete, meaning Action::"delete")',
        }),
      );
    const fields = invariantFields(inv, bad);
    const out: DesiredInvariant = { name: inv.name, scopeText: fields ? assembleRule(fields) : "", expect: inv.expect, loc: positionOf(y, at) };
    if (inv.context !== undefined) out.context = inv.context;
    return out;
  });
}

/** The scope as a permit rule's fields, or undefined after reporting each malformed literal through `bad`. */
export function invariantFields(
  inv: Pick<InvariantFile, "principal" | "action" | "resource">,
  bad: (path: PathItem[], text: string) => void,
): RuleScopeFields | undefined {
  let ok = true;
  const entity = (key: "principal" | "resource"): { type: EntityScopeType; entityType: string | null; entityId: string | null } => {
    const scope: EntityScopeFile | undefined = inv[key];
    if (!scope) return { type: "any", entityType: null, entityId: null };
    const literal = (field: "eq" | "in", text: string) => {
      const parsed = parseEntityLiteral(text);
      if (!parsed) {
        ok = false;
        bad([key, field], text);
      }
      return parsed;
    };
    if (scope.is !== undefined) {
      if (scope.in === undefined) return { type: "is", entityType: scope.is, entityId: null };
      literal("in", scope.in);
      return { type: "is_in", entityType: scope.is, entityId: scope.in };
    }
    const field = scope.eq !== undefined ? "eq" : "in";
    const lit = literal(field, scope[field] ?? "");
    return { type: field, entityType: lit?.type ?? null, entityId: lit?.id ?? null };
  };
  const principal = entity("principal");
  const resource = entity("resource");
  const action = inv.action;
  const ids = !action ? [] : action.eq !== undefined ? [action.eq] : (action.in ?? []);
  ids.forEach((id, n) => {
    if (id.includes("::") && !parseEntityLiteral(id)) {
      ok = false;
      bad(action?.eq !== undefined ? ["action", "eq"] : ["action", "in", n], id);
    }
  });
  if (!ok) return undefined;
  return {
    effect: "permit",
    principal_scope_type: principal.type,
    principal_entity_type: principal.entityType,
    principal_entity_id: principal.entityId,
    action_scope_type: !action ? "any" : action.eq !== undefined ? "eq" : "in",
    action_ids: ids,
    resource_scope_type: resource.type,
    resource_entity_type: resource.entityType,
    resource_entity_id: resource.entityId,
    conditions: null,
  };
}
