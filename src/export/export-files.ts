/**
 * Live state → desired-state files (`organization.yaml`, `projects/<project>.yaml`, `cedar/<policy>.yaml`),
 * each with the `$schema` modeline. Each file is built as an `AccessctlFile` value (the type generated from the
 * schema) and serialised by yaml-text.ts. Optional fields are written only when they differ from the API's
 * defaults (left out, they keep the live value, so the files still plan as "No changes"). Deterministic: the same
 * live state gives byte-identical files. Pure.
 */
import { matchAny, type Address, type Pattern } from "../address/address.js";
import type { AccessctlFile, CedarPolicyFile, RbacScopeFile } from "../desired/file-format.generated.js";
import type { LiveCedarPolicy, LiveRbacScope, LiveState } from "../live/types.js";
import { uniqueStems } from "./file-names.js";
import { ruleFile } from "./rule-form.js";
import { yamlText } from "./yaml-text.js";

export interface ExportOptions {
  /** Path of the JSON Schema as seen from the export directory's root (for the modeline). */
  schemaFromRoot: string;
  only?: readonly Pattern[];
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function modeline(schemaFromRoot: string, depth: number): string {
  const up = "../".repeat(depth);
  const path = schemaFromRoot.startsWith("/") || /^[a-z]+:/i.test(schemaFromRoot) ? schemaFromRoot : `${up}${schemaFromRoot}`;
  return `# yaml-language-server: $schema=${path}`;
}

/**
 * With `--only`, a collection none of whose objects was kept is left out (unmanaged) rather than written as an
 * authoritative `[]`.
 */
function rbacScope(scope: LiveRbacScope, keep: (kind: "policy" | "role", name: string) => boolean, limited: boolean): RbacScopeFile {
  const permName = new Map(scope.permissions.map((p) => [p.id, p.name]));
  const policyName = new Map(scope.policies.map((p) => [p.id, p.name]));
  const policies = scope.policies.filter((p) => keep("policy", p.name)).sort(byName);
  const roles = scope.roles.filter((r) => !r.system && keep("role", r.name)).sort(byName);
  const out: RbacScopeFile = {};
  if (policies.length > 0 || !limited) {
    out.policies = policies.map((p) => ({
      name: p.name,
      ...(p.description === null ? {} : { description: p.description }),
      permissions: p.permissionIds.map((id) => permName.get(id) ?? id).sort(),
    }));
  }
  if (roles.length > 0 || !limited) {
    out.roles = roles.map((r) => ({
      name: r.name,
      ...(r.description === null ? {} : { description: r.description }),
      policies: r.policyIds.map((id) => policyName.get(id) ?? id).sort(),
    }));
  }
  return out;
}

/**
 * A live Cedar policy. Options are written only when they differ from the API's defaults on create, and nullable
 * ones only when set: left out, a field keeps its live value.
 */
function cedarPolicy(p: LiveCedarPolicy): CedarPolicyFile {
  return {
    name: p.name,
    ...(p.description === null ? {} : { description: p.description }),
    ...(p.enabled ? {} : { enabled: false }),
    ...(p.priority === 0 ? {} : { priority: p.priority }),
    maxDurationSeconds: p.maxDurationSeconds,
    ...(p.defaultDurationSeconds === null ? {} : { defaultDurationSeconds: p.defaultDurationSeconds }),
    ...(p.notificationChannel === null ? {} : { notificationChannel: p.notificationChannel }),
    rules: p.rules.map(ruleFile),
  };
}

export function exportFiles(live: LiveState, options: ExportOptions): Map<string, string> {
  const files = new Map<string, string>();
  const write = (path: string, value: AccessctlFile): void => {
    files.set(path, yamlText(value, modeline(options.schemaFromRoot, path.split("/").length - 1)));
  };
  const only = options.only ?? [];
  const keep = (a: Address): boolean => only.length === 0 || matchAny(only, a);

  const org = live.organization;
  const orgKeep = (kind: "policy" | "role", name: string): boolean => keep({ kind: kind === "policy" ? "org-policy" : "org-role", name });
  if (org && (only.length === 0 || [...org.policies.map((p) => orgKeep("policy", p.name)), ...org.roles.filter((r) => !r.system).map((r) => orgKeep("role", r.name))].some(Boolean))) {
    write("organization.yaml", { organization: rbacScope(org, orgKeep, only.length > 0) });
  }
  const projects = (live.projects ?? []).filter((p) => p.scope && (p.scope.policies.length > 0 || p.scope.roles.some((r) => !r.system)));
  const projectStems = uniqueStems(projects.map((p) => p.name));
  for (const p of projects.sort(byName)) {
    const keepIn = (kind: "policy" | "role", name: string): boolean => keep({ kind: kind === "policy" ? "project-policy" : "project-role", project: p.name, name });
    if (only.length > 0 && ![...p.scope!.policies, ...p.scope!.roles.filter((r) => !r.system)].some((o) => keepIn("policy", o.name) || keepIn("role", o.name))) continue;
    write(`projects/${projectStems.get(p.name)}.yaml`, { projects: [{ name: p.name, ...rbacScope(p.scope!, keepIn, only.length > 0) }] });
  }
  const cedar = (live.cedar?.policies ?? []).filter((p) => keep({ kind: "cedar-policy", name: p.name })).sort(byName);
  const cedarStems = uniqueStems(cedar.map((p) => p.name));
  for (const p of cedar) {
    write(`cedar/${cedarStems.get(p.name)}.yaml`, { cedar: { policies: [cedarPolicy(p)] } });
  }
  if (only.length > 0 && files.size > 0) {
    // The exported collections are authoritative; `owns` keeps the objects --only left out from being deleted.
    write("accessctl.yaml", { accessctl: { owns: only.map((p) => p.source) } });
  }
  return files;
}
