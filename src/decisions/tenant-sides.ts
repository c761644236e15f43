/**
 * The sides of the plan's decision review (SPEC section 10, "Which rules"): each side is the whole Cedar tenant as
 * the service evaluates it — every live policy, managed or not, with its `enabled` and `priority` — before the
 * plan's changes, and after them (only the selected ones under `--only`; the base branch's, for drift).
 *
 * A live rule keeps one key on every side, so that a rule the changes leave alone is recognised as unchanged; a
 * rule a change creates is keyed by its address in the files, which is also the key of its reference
 * (rule-refs.ts). Pure.
 */
import { escapeSegment, formatAddress } from "../address/address.js";
import type { EvalPolicy } from "../cedar/evaluate.js";
import type { LiveCedarPolicy } from "../live/types.js";
import type { Change, Ref } from "../plan/model.js";

interface PolicyState {
  key: string;
  enabled: boolean;
  priority: number;
  rules: Map<string, { key: string; text: string }>;
}

/** A live rule's key on every side: its live address, and its id (two live rules may share an ordinal). */
export function liveRuleKey(policy: string, ordinal: number, id: string): string {
  return `cedar/policies/${escapeSegment(policy)}/rules/${ordinal}@${id}`;
}

/** The live rule's address as outputs show it (a rule the files do not name is known only by its live place). */
export function liveRuleAddress(policy: string, ordinal: number): string {
  return formatAddress({ kind: "cedar-rule", policy, ordinal });
}

/**
 * The live tenant with `changes` applied: policy creates (left-out `enabled`/`priority` take the API defaults),
 * setting updates and deletes, rule creates, text updates and deletes. Reorders change no decision: the order of
 * rules does not matter within a priority group. `createdKey` keys the rules a change creates.
 */
export function tenantAfter(
  live: readonly LiveCedarPolicy[],
  changes: readonly Change[],
  createdKey: (address: string) => string = (a) => a,
): EvalPolicy[] {
  const policies = new Map<string, PolicyState>();
  for (const p of live) {
    const rules = new Map(p.rules.map((r) => [r.id, { key: liveRuleKey(p.name, r.ordinal, r.id), text: r.text }]));
    policies.set(p.id, { key: formatAddress({ kind: "cedar-policy", name: p.name }), enabled: p.enabled, priority: p.priority, rules });
  }
  const createdPolicy = (name: string): string => `\u0000new:${name}`;
  const policyOf = (ref: Ref): PolicyState | undefined => policies.get(ref.id ?? createdPolicy(ref.name));
  for (const c of changes) {
    if (c.type !== "cedar-policy") continue;
    if (c.kind === "create") {
      const key = formatAddress(c.address);
      policies.set(createdPolicy(c.body.name), { key, enabled: c.body.enabled ?? true, priority: c.body.priority ?? 0, rules: new Map() });
    } else if (c.kind === "delete") policies.delete(c.liveId);
    else if (c.kind !== "reorder") {
      const p = policies.get(c.liveId);
      if (!p) continue;
      if (c.body.enabled !== undefined) p.enabled = c.body.enabled;
      if (c.body.priority !== undefined) p.priority = c.body.priority;
    }
  }
  for (const c of changes) {
    if (c.type !== "cedar-rule") continue;
    const p = policyOf(c.policy);
    if (!p) continue;
    if (c.kind === "create") {
      const key = createdKey(formatAddress(c.address));
      p.rules.set(key, { key, text: c.body.text });
    } else if (c.kind === "update") {
      const r = p.rules.get(c.liveId);
      if (r && c.body.text !== undefined) p.rules.set(c.liveId, { key: r.key, text: c.body.text });
    } else p.rules.delete(c.liveId);
  }
  return [...policies.values()].map((p) => ({ key: p.key, enabled: p.enabled, priority: p.priority, rules: [...p.rules.values()] }));
}
