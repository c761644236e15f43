/**
 * Hygiene (SPEC sections 4a and 10): rules that can never decide, and rules that repeat another.
 *
 * - **Shadowed**: a rule that matches requests of the universe but decides none of them — on each, a rule of a
 *   higher priority group, or a `forbid` of its own group (for a permit), decides first. Exact when the rule has no
 *   conditions and one unconditional rule that decides first holds its whole scope (scope-containment.ts): then it
 *   holds on every universe. Otherwise it is a finding "on the declared universe".
 * - **Redundant**: two rules of one policy with the same effect and the same non-empty set of matching requests.
 *   Exact when both are unconditional with scopes of equal form (`action in [Action::"view"]` and
 *   `action == Action::"view"` when `view` is no group); otherwise on the declared universe.
 *
 * A rule that matches no request of the universe is neither: a rule whose conditions only error on the fresh,
 * attribute-less entities never matches there, and nothing decides "first" over a rule that never matches.
 * Disabled policies decide nothing and are left out. Pure: the decided universe comes in.
 */
import type { EvalPolicy } from "../cedar/evaluate.js";
import { ruleFacts } from "../decisions/rule-facts.js";
import { typeOfKey } from "../decisions/entity-keys.js";
import type { EntityConstraint, RuleScope } from "../decisions/rule-scope.js";
import type { Outcome } from "../decisions/service-decision.js";
import type { DecisionRequest } from "../decisions/side-evaluator.js";
import type { Universe } from "../decisions/universe.js";
import { ActionSets, scopeContains, scopeKey } from "./scope-containment.js";

export interface HygieneFinding {
  kind: "shadowed" | "redundant";
  /** The rule the finding is about (the later of a redundant pair). */
  rule: string;
  /** The rule that decides first (shadowed), or the earlier rule it repeats (redundant). */
  other: string;
  /** Holds whatever the entities: both rules are unconditional and their scopes say so. */
  exact: boolean;
  /** Shadowed: the other rule's priority group is higher (else it is a forbid of the same group). */
  higherGroup?: boolean;
  /** On the universe: how many requests the rule matches. */
  matched?: number;
  /** On the universe: one request it matches on which `other` decides first. */
  example?: DecisionRequest;
}

export interface HygieneInput {
  policies: readonly EvalPolicy[];
  universe: Universe;
  /** Every request of the universe and its outcome with `policies`; absent above the cap (exact findings only). */
  decided?: { requests: readonly DecisionRequest[]; outcomes: readonly Outcome[] };
}

interface RuleInfo {
  key: string;
  policy: number;
  priority: number;
  scope: RuleScope;
  /** No conditions and a scope read exactly. */
  plain: boolean;
}

export function findHygiene(input: HygieneInput): HygieneFinding[] {
  const rules: RuleInfo[] = [];
  input.policies.forEach((p, policy) => {
    if (!p.enabled) return;
    for (const r of p.rules) {
      const scope = ruleFacts(r.text).scope;
      rules.push({ key: r.key, policy, priority: p.priority, scope, plain: scope.exact && !scope.conditional });
    }
  });
  const actions = new ActionSets(input.universe);
  const findings: HygieneFinding[] = [];
  const reported = new Set<string>();
  const add = (f: HygieneFinding) => {
    const id = `${f.kind}\u0001${f.rule}`;
    if (reported.has(id)) return;
    reported.add(id);
    findings.push(f);
  };

  // Exact findings first: they hold on every universe, and they also stand when the universe is above the cap.
  const plain = rules.filter((r) => r.plain);
  const containing = new ContainerIndex(plain, actions);
  plain.forEach((r, i) => {
    const first = containing.first(r, (d, j) => j !== i && decidesFirst(d, r) && scopeContains(d.scope, r.scope, actions));
    if (first) add({ kind: "shadowed", rule: r.key, other: first.key, exact: true, higherGroup: first.priority > r.priority });
  });
  const byForm = new Map<string, RuleInfo>();
  for (const r of plain) {
    const key = `${r.policy}\u0001${r.scope.effect}\u0001${scopeKey(r.scope, actions)}`;
    const earlier = byForm.get(key);
    if (earlier) add({ kind: "redundant", rule: r.key, other: earlier.key, exact: true });
    else byForm.set(key, r);
  }
  if (!input.decided) return findings;

  // On the declared universe: which requests each rule matches, and how many it decides.
  const { requests, outcomes } = input.decided;
  const matched = new Map<string, number[]>(rules.map((r) => [r.key, []]));
  const decided = new Map<string, number>();
  outcomes.forEach((o, i) => {
    if (o.decision === "error") return;
    for (const k of o.matched) matched.get(k)?.push(i);
    for (const k of o.deciding) decided.set(k, (decided.get(k) ?? 0) + 1);
  });
  const byKey = new Map(rules.map((r) => [r.key, r]));
  for (const r of rules) {
    const hits = matched.get(r.key) ?? [];
    if (hits.length === 0 || (decided.get(r.key) ?? 0) > 0) continue;
    const at = hits[0] as number;
    const other = outcomes[at]?.deciding[0];
    if (other === undefined) continue;
    const o = byKey.get(other);
    add({ kind: "shadowed", rule: r.key, other, exact: false, higherGroup: o !== undefined && o.priority > r.priority, matched: hits.length, ...(requests[at] ? { example: requests[at] } : {}) });
  }
  const bySet = new Map<string, RuleInfo[]>();
  for (const r of rules) {
    const hits = matched.get(r.key) ?? [];
    if (hits.length === 0) continue;
    const key = `${r.policy}\u0001${r.scope.effect}\u0001${hits.length}\u0001${hashOf(hits)}`;
    const group = bySet.get(key);
    const earlier = group?.find((e) => sameList(matched.get(e.key) ?? [], hits));
    if (earlier) add({ kind: "redundant", rule: r.key, other: earlier.key, exact: false, matched: hits.length });
    else if (group) group.push(r);
    else bySet.set(key, [r]);
  }
  return findings;
}

/**
 * The plain rules by the forms of their scope, so that finding the rules whose scope may contain a rule's scope
 * looks at a few buckets instead of every rule (77,000 unconditional rules compared pairwise would be 6·10⁹
 * comparisons). A rule is filed under its principal form × resource form × each action it admits (`*` for any);
 * a lookup visits only the buckets whose forms can contain the inner rule's (`entityContains`' cases).
 */
class ContainerIndex {
  private readonly buckets = new Map<string, number[]>();

  constructor(
    private readonly rules: readonly RuleInfo[],
    private readonly actions: ActionSets,
  ) {
    rules.forEach((r, i) => {
      const set = actions.of(r.scope.action);
      for (const a of set === undefined ? ["*"] : set) {
        const key = `${formOf(r.scope.principal)}\u0002${formOf(r.scope.resource)}\u0002${a}`;
        const list = this.buckets.get(key);
        if (list) list.push(i);
        else this.buckets.set(key, [i]);
      }
    });
  }

  /** The earliest rule (in the rules' order) that passes `test` among those whose forms may contain `inner`'s. */
  first(inner: RuleInfo, test: (d: RuleInfo, index: number) => boolean): RuleInfo | undefined {
    const set = this.actions.of(inner.scope.action);
    // `action in []` admits nothing, so any rule may contain it: the plain scan.
    if (set !== undefined && set.size === 0) return this.rules.find((d, j) => test(d, j));
    // An outer rule must admit every action of the inner one, so it is filed under any one of them (or `*`).
    const probe = set === undefined ? undefined : [...set].sort()[0];
    const actionKeys = probe === undefined ? ["*"] : ["*", probe];
    let best = -1;
    for (const p of containerForms(inner.scope.principal)) {
      for (const r of containerForms(inner.scope.resource)) {
        for (const a of actionKeys) {
          for (const j of this.buckets.get(`${p}\u0002${r}\u0002${a}`) ?? []) {
            if (best >= 0 && j >= best) break;
            if (test(this.rules[j] as RuleInfo, j)) best = j;
          }
        }
      }
    }
    return best >= 0 ? this.rules[best] : undefined;
  }
}

function formOf(c: EntityConstraint): string {
  switch (c.op) {
    case "any":
      return "any";
    case "eq":
      return `eq\u0001${c.uid}`;
    case "in":
      return `in\u0001${c.uid}`;
    case "is":
      return c.in === undefined ? `is\u0001${c.type}` : `isin\u0001${c.type}\u0001${c.in}`;
  }
}

/** The forms of every constraint that may contain `inner` (a superset of `entityContains`' true cases). */
function containerForms(inner: EntityConstraint): string[] {
  const out = ["any"];
  switch (inner.op) {
    case "eq": {
      const type = typeOfKey(inner.uid);
      out.push(`eq\u0001${inner.uid}`, `in\u0001${inner.uid}`, `is\u0001${type}`, `isin\u0001${type}\u0001${inner.uid}`);
      break;
    }
    case "in":
      out.push(`in\u0001${inner.uid}`);
      break;
    case "is":
      out.push(`is\u0001${inner.type}`);
      if (inner.in !== undefined) out.push(`in\u0001${inner.in}`, `isin\u0001${inner.type}\u0001${inner.in}`);
      break;
    case "any":
      break;
  }
  return out;
}

/** `d` decides before `r` can: a higher priority group, or a forbid of the group of a permit. */
function decidesFirst(d: RuleInfo, r: RuleInfo): boolean {
  return d.priority > r.priority || (d.priority === r.priority && d.scope.effect === "forbid" && r.scope.effect === "permit");
}

function hashOf(list: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const n of list) h = Math.imul(h ^ n, 0x01000193) >>> 0;
  return h;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
