/**
 * Which rules' scopes can match a request, found without scanning every rule: per action, rules are bucketed by
 * their principal constraint (any, `== E`, `in E`, `is T`, `is T in E`), so a principal finds its rules through
 * its own key, its type and its ancestors. Cedar checks the scope before the conditions and a scope cannot error,
 * so a rule whose scope does not match a request neither matches nor errors on it: leaving it out of the engine
 * call changes nothing but the cost.
 *
 * A rule may also carry request environments (from the engine, see request-envs.ts): the principal types,
 * actions and resource types for which its conditions can hold.
 */
import type { ActionConstraint, EntityConstraint, RuleScope } from "./rule-scope.js";
import type { Hierarchy } from "./hierarchy.js";
import { typeOfKey } from "./entity-keys.js";

export interface RuleEnv {
  principalTypes: ReadonlySet<string>;
  /** Action uid keys. */
  actions: ReadonlySet<string>;
  resourceTypes: ReadonlySet<string>;
}

export interface ScopedRule {
  scope: RuleScope;
  env?: RuleEnv;
}

function admitsEntity(c: EntityConstraint, key: string, h: Hierarchy): boolean {
  switch (c.op) {
    case "any":
      return true;
    case "eq":
      return key === c.uid;
    case "in":
      return h.isIn(key, c.uid);
    case "is":
      return typeOfKey(key) === c.type && (c.in === undefined || h.isIn(key, c.in));
  }
}

function admitsAction(c: ActionConstraint, key: string, h: Hierarchy): boolean {
  switch (c.op) {
    case "any":
      return true;
    case "eq":
      return key === c.uid;
    case "in":
      return c.uids.some((u) => h.isIn(key, u));
  }
}

/** Rules of one action, bucketed by principal constraint. */
interface ActionSlice {
  any: number[];
  eq: Map<string, number[]>;
  in: Map<string, number[]>;
  is: Map<string, number[]>;
  /** Key: `type \u0001 container`. */
  isIn: Map<string, number[]>;
}

const NONE: readonly number[] = [];

export class ScopeIndex {
  private readonly slices = new Map<string, ActionSlice>();
  private readonly memo = new Map<string, readonly number[]>();

  constructor(
    readonly rules: readonly ScopedRule[],
    private readonly hierarchy: Hierarchy,
  ) {}

  /** Indexes of the rules whose action and principal constraints (and environments) admit the pair, ascending. */
  candidates(actionKey: string, principalKey: string): readonly number[] {
    const memoKey = `${actionKey}\u0001${principalKey}`;
    const hit = this.memo.get(memoKey);
    if (hit) return hit;
    const slice = this.slice(actionKey);
    const type = typeOfKey(principalKey);
    const found: number[] = [...slice.any, ...(slice.eq.get(principalKey) ?? NONE), ...(slice.is.get(type) ?? NONE)];
    for (const container of [principalKey, ...this.hierarchy.ancestors(principalKey)]) {
      // One by one: a spread of 130,000 rules (one group holding every rule) overflows the stack.
      for (const i of slice.in.get(container) ?? NONE) found.push(i);
      for (const i of slice.isIn.get(`${type}\u0001${container}`) ?? NONE) found.push(i);
    }
    const out = found.filter((i) => this.rules[i]?.env?.principalTypes.has(type) ?? true).sort((a, b) => a - b);
    this.memo.set(memoKey, out);
    return out;
  }

  admitsResource(rule: number, resourceKey: string): boolean {
    const r = this.rules[rule];
    if (!r) return false;
    if (r.env && !r.env.resourceTypes.has(typeOfKey(resourceKey))) return false;
    return admitsEntity(r.scope.resource, resourceKey, this.hierarchy);
  }

  private slice(actionKey: string): ActionSlice {
    const hit = this.slices.get(actionKey);
    if (hit) return hit;
    const slice: ActionSlice = { any: [], eq: new Map(), in: new Map(), is: new Map(), isIn: new Map() };
    const push = (map: Map<string, number[]>, key: string, i: number) => {
      const list = map.get(key);
      if (list) list.push(i);
      else map.set(key, [i]);
    };
    this.rules.forEach((r, i) => {
      if (!admitsAction(r.scope.action, actionKey, this.hierarchy)) return;
      if (r.env && !r.env.actions.has(actionKey)) return;
      const p = r.scope.principal;
      if (p.op === "any") slice.any.push(i);
      else if (p.op === "eq") push(slice.eq, p.uid, i);
      else if (p.op === "in") push(slice.in, p.uid, i);
      else if (p.in === undefined) push(slice.is, p.type, i);
      else push(slice.isIn, `${p.type}\u0001${p.in}`, i);
    });
    this.slices.set(actionKey, slice);
    return slice;
  }
}
