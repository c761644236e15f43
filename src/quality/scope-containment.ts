/**
 * Whether one rule's scope holds another's whatever the entities are: the exact half of the hygiene warnings. A
 * rule without conditions matches exactly the requests its scope admits, so when an unconditional rule that
 * decides first admits every request another unconditional rule admits, the other can never decide — on any
 * universe, not just the declared one.
 *
 * Entity constraints are compared by their form alone (`principal` ⊇ everything; `in E` ⊇ `== E`, `in E`,
 * `is T in E`; `is T` ⊇ `is T in E`, `== T::"x"`), never through the entities file, which describes test data and
 * not the live entity store. Actions are compared as sets, expanding `in [a]` through the schema's action groups:
 * the schema declares every action and group, so that expansion holds for every request the schema allows.
 */
import type { ActionConstraint, EntityConstraint, RuleScope } from "../decisions/rule-scope.js";
import { keyOf, typeOfKey } from "../decisions/entity-keys.js";
import type { Universe } from "../decisions/universe.js";

export function entityContains(outer: EntityConstraint, inner: EntityConstraint): boolean {
  switch (outer.op) {
    case "any":
      return true;
    case "eq":
      return inner.op === "eq" && inner.uid === outer.uid;
    case "in":
      return ((inner.op === "eq" || inner.op === "in") && inner.uid === outer.uid) || (inner.op === "is" && inner.in === outer.uid);
    case "is":
      if (outer.in === undefined) return (inner.op === "is" && inner.type === outer.type) || (inner.op === "eq" && typeOfKey(inner.uid) === outer.type);
      return (inner.op === "is" && inner.type === outer.type && inner.in === outer.in) || (inner.op === "eq" && inner.uid === outer.in && typeOfKey(inner.uid) === outer.type);
  }
}

/** Action sets over the universe's actions (every schema action, groups included): `undefined` = any action. */
export class ActionSets {
  private readonly known: string[];

  constructor(private readonly universe: Universe) {
    const keys = new Set(universe.actions.map((a) => keyOf(a.ref)));
    for (const a of universe.schemaInfo?.actions ?? []) keys.add(keyOf(a.ref));
    this.known = [...keys];
  }

  of(c: ActionConstraint): ReadonlySet<string> | undefined {
    if (c.op === "any") return undefined;
    if (c.op === "eq") return new Set([c.uid]);
    const out = new Set(c.uids);
    for (const k of this.known) if (c.uids.some((g) => this.universe.hierarchy.isIn(k, g))) out.add(k);
    return out;
  }

  /** A stable key of the set (`*` for any), for grouping equal scopes. */
  key(c: ActionConstraint): string {
    const set = this.of(c);
    return set === undefined ? "*" : [...set].sort().join("\u0001");
  }

  contains(outer: ActionConstraint, inner: ActionConstraint): boolean {
    const o = this.of(outer);
    if (o === undefined) return true;
    const i = this.of(inner);
    return i !== undefined && [...i].every((k) => o.has(k));
  }
}

/** `outer` admits every request `inner` admits (both read exactly from their text). */
export function scopeContains(outer: RuleScope, inner: RuleScope, actions: ActionSets): boolean {
  return (
    outer.exact &&
    inner.exact &&
    entityContains(outer.principal, inner.principal) &&
    entityContains(outer.resource, inner.resource) &&
    actions.contains(outer.action, inner.action)
  );
}

/** A key equal for scopes that admit the same requests by form (principal, action set, resource). */
export function scopeKey(scope: RuleScope, actions: ActionSets): string {
  return JSON.stringify([scope.principal, actions.key(scope.action), scope.resource]);
}
