/**
 * Emulator state files for the benchmark, written directly (src/emulator/state-file.ts reads them on start):
 * the seeded catalogue plus the extra projects the generator manages, and — for "all live" scenarios — every
 * object of a desired state, as the emulator itself would have stored it after an apply.
 */
import { writeFileSync } from "node:fs";
import type { DesiredState } from "../src/desired/types.js";
import { validateDesiredState } from "../src/desired/validate.js";
import { ruleFromText } from "../src/emulator/cedar-rules.js";
import { createdId, createdUuid, seededId } from "../src/emulator/ids.js";
import {
  ORG_SCOPE,
  type CedarPolicyRecord,
  type CedarRuleRecord,
  type RbacPolicyRecord,
  type RoleRecord,
  type StateData,
} from "../src/emulator/model.js";
import { projectPermissionNames, PROJECT_SYSTEM_ROLES, seedState } from "../src/emulator/seed.js";
import { BENCH_PROJECTS } from "./generate.js";

const TIME = "2024-06-01T00:00:00.000Z";

/** The seed, plus the generator's projects that the seed lacks (with their permissions and system roles). */
export function baseState(): StateData {
  const state = seedState();
  const c = state.collections;
  for (const name of BENCH_PROJECTS) {
    if (c.projects.some((p) => p.name === name)) continue;
    const id = seededId("proj", name);
    c.projects.push({ id, name, description: null, created_at: TIME });
    for (const perm of projectPermissionNames()) {
      const [resource, action] = perm.split(":");
      c.permissions.push({ id: seededId("perm", id, perm), scope: id, name: perm, description: `Allows ${action} on ${resource}` });
    }
    for (const role of PROJECT_SYSTEM_ROLES) {
      c.roles.push({ id: seededId("role", id, role), scope: id, name: role, description: `System role ${role}`, system: true, policyIds: [] });
    }
    for (const m of c.members) m.projectRoleIds[id] = seededId("role", id, "Member");
  }
  return state;
}

export function loadDesired(dir: string): DesiredState {
  const result = validateDesiredState(dir, { env: {} });
  if (!result.desired) {
    const first = result.diagnostics.slice(0, 5).map((d) => JSON.stringify(d)).join("\n");
    throw new Error(`the generated desired state is invalid:\n${first}`);
  }
  return result.desired;
}

/** The base state with every object of `desired` live, exactly as declared. */
export function liveState(desired: DesiredState): StateData {
  const state = baseState();
  const c = state.collections;
  let counter = state.counter;
  const scopeIds = new Map<string, string>([["organization", ORG_SCOPE]]);
  for (const p of c.projects) scopeIds.set(p.name, p.id);
  const permIds = new Map(c.permissions.map((p) => [`${p.scope}\0${p.name}`, p.id]));

  const addScope = (scope: string, d: { policies?: DesiredState["projects"][number]["policies"]; roles?: DesiredState["projects"][number]["roles"] }): void => {
    const policyIds = new Map<string, string>();
    for (const p of d.policies ?? []) {
      const record: RbacPolicyRecord = {
        id: createdId("pol", ++counter),
        scope,
        name: p.name,
        description: p.description ?? null,
        permissionIds: p.permissions.map((n) => {
          const id = permIds.get(`${scope}\0${n.name}`);
          if (!id) throw new Error(`unknown permission ${n.name} in ${scope}`);
          return id;
        }),
      };
      policyIds.set(p.name, record.id);
      c.policies.push(record);
    }
    for (const r of d.roles ?? []) {
      const record: RoleRecord = {
        id: createdId("role", ++counter),
        scope,
        name: r.name,
        description: r.description ?? null,
        system: false,
        policyIds: r.policies.map((n) => policyIds.get(n.name)!),
      };
      c.roles.push(record);
    }
  };
  if (desired.organization) addScope(ORG_SCOPE, desired.organization);
  for (const p of desired.projects) addScope(scopeIds.get(p.name)!, p);

  for (const p of desired.cedar?.policies ?? []) {
    const seq = ++counter;
    const policy: CedarPolicyRecord = {
      id: createdUuid("policy", seq),
      name: p.name,
      description: p.description ?? null,
      enabled: p.enabled ?? true,
      priority: p.priority ?? 0,
      max_duration_seconds: p.maxDurationSeconds,
      default_duration_seconds: p.defaultDurationSeconds ?? null,
      notification_channel: p.notificationChannel ?? null,
      created_at: TIME,
      updated_at: TIME,
      createdSeq: seq,
    };
    c.cedarPolicies.push(policy);
    for (const r of p.rules) {
      const rseq = ++counter;
      const rule: CedarRuleRecord = {
        id: createdUuid("rule", rseq),
        policy_id: policy.id,
        ...ruleFromText(r.text),
        ordinal: r.ordinal,
        notice: r.notice ?? null,
        audit_session: r.auditSession ?? true,
        created_at: TIME,
        updated_at: TIME,
        createdSeq: rseq,
      };
      c.cedarRules.push(rule);
    }
  }
  state.counter = counter;
  return state;
}

export function writeState(path: string, state: StateData): void {
  writeFileSync(path, `${JSON.stringify(state)}\n`);
}
