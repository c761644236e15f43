/**
 * What one apply run learns as it goes: the ids of objects it created (they fill the `Ref`s of later changes
 * that the plan could not know, and a policy's reorder list), per Cedar policy the live rules already spoken for,
 * so that adopting a rule after a lost answer never takes a rule another desired rule owns.
 */
import type { Change, ScopeKey } from "../plan/model.js";

export class RunState {
  private readonly rbacPolicyIds = new Map<ScopeKey, Map<string, string>>();
  private readonly cedarPolicyIds = new Map<string, string>();
  private readonly claimed = new Map<string, Set<string>>();
  private readonly createdRules = new Map<string, string>();

  /** Rules the plan updates, reorders or deletes are claimed from the start: they are not free to adopt. */
  constructor(changes: readonly Change[]) {
    for (const c of changes) {
      if (c.type === "cedar-rule" && c.kind !== "create") this.claim(c.policy.name, c.liveId);
      if (c.type === "cedar-policy" && c.kind === "reorder") {
        const name = c.address.kind === "cedar-policy" ? c.address.name : "";
        for (const slot of c.order) if ("liveId" in slot) this.claim(name, slot.liveId);
      }
    }
  }

  /** The rule a create change made (or adopted): a reorder later in the run names it by that change. */
  cedarRuleCreated(changeId: string, ruleId: string): void {
    this.createdRules.set(changeId, ruleId);
  }

  cedarRuleId(changeId: string): string | undefined {
    return this.createdRules.get(changeId);
  }

  rbacPolicyCreated(scope: ScopeKey, name: string, id: string): void {
    let byName = this.rbacPolicyIds.get(scope);
    if (!byName) this.rbacPolicyIds.set(scope, (byName = new Map()));
    byName.set(name, id);
  }

  rbacPolicyId(scope: ScopeKey, name: string): string | undefined {
    return this.rbacPolicyIds.get(scope)?.get(name);
  }

  cedarPolicyCreated(name: string, id: string): void {
    this.cedarPolicyIds.set(name, id);
  }

  cedarPolicyId(name: string): string | undefined {
    return this.cedarPolicyIds.get(name);
  }

  isClaimed(policyName: string, ruleId: string): boolean {
    return this.claimed.get(policyName)?.has(ruleId) === true;
  }

  claim(policyName: string, ruleId: string): void {
    let set = this.claimed.get(policyName);
    if (!set) this.claimed.set(policyName, (set = new Set()));
    set.add(ruleId);
  }
}
