/**
 * The structured fields of a Cedar rule as the Cedar policy API carries them (listed in docs/services.md, "How
 * structured rules become Cedar text"). The assembler (`assemble.ts`) turns them into Cedar text; the decomposer
 * (`decompose.ts`) does the reverse.
 */

export type EntityScopeType = "any" | "eq" | "in" | "is" | "is_in";
export type ActionScopeType = "any" | "eq" | "in";
export type Effect = "permit" | "forbid";

export interface RuleScopeFields {
  effect: Effect;
  principal_scope_type: EntityScopeType;
  /** `eq`/`in`: the entity's type (e.g. `User`); `is`/`is_in`: the type tested by `is`. */
  principal_entity_type: string | null;
  /** `eq`/`in`: the entity's id (unescaped); `is_in`: the whole container entity literal, e.g. `Group::"eng"`. */
  principal_entity_id: string | null;
  action_scope_type: ActionScopeType;
  /** Bare ids (`read`) mean `Action::"read"`; an item containing `::` is a whole entity literal. */
  action_ids: string[];
  resource_scope_type: EntityScopeType;
  resource_entity_type: string | null;
  resource_entity_id: string | null;
  /** Raw Cedar `when { … }` / `unless { … }` clauses, or null for none. */
  conditions: string | null;
}

/** The keys of RuleScopeFields, for code that copies them out of a larger record. */
export const RULE_SCOPE_KEYS = [
  "effect",
  "principal_scope_type",
  "principal_entity_type",
  "principal_entity_id",
  "action_scope_type",
  "action_ids",
  "resource_scope_type",
  "resource_entity_type",
  "resource_entity_id",
  "conditions",
] as const satisfies readonly (keyof RuleScopeFields)[];

/** Just the structured fields of a record that holds them (and more). */
export function scopeFieldsOf(r: RuleScopeFields): RuleScopeFields {
  const out = {} as Record<keyof RuleScopeFields, unknown>;
  for (const k of RULE_SCOPE_KEYS) out[k] = r[k];
  return out as unknown as RuleScopeFields;
}
