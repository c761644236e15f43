/**
 * Live state → desired-state files (`organization.yaml`, `projects/<project>.yaml`, `cedar/<policy>.yaml`),
 * each with the `$schema` modeline. Optional fields are written only when they differ from the API's defaults
 * (left out, they keep the live value, so the files still plan as "No changes"). Deterministic: the same live
 * state gives byte-identical files. Pure.
 */
import { matchAny, type Address, type Pattern } from "../address/address.js";
import type { LiveCedarPolicy, LiveRbacScope, LiveState } from "../live/types.js";
import { uniqueStems } from "./file-names.js";
import { structuredForm } from "./rule-form.js";
import { flowList, flowScalar, keyText, scalar } from "./yaml-scalars.js";

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
function rbacLines(scope: LiveRbacScope, indent: number, keep: (kind: "policy" | "role", name: string) => boolean, limited: boolean): string[] {
  const pad = " ".repeat(indent);
  const permName = new Map(scope.permissions.map((p) => [p.id, p.name]));
  const policyName = new Map(scope.policies.map((p) => [p.id, p.name]));
  const lines: string[] = [];
  const policies = scope.policies.filter((p) => keep("policy", p.name)).sort(byName);
  const roles = scope.roles.filter((r) => !r.system && keep("role", r.name)).sort(byName);
  if (policies.length > 0 || !limited) lines.push(`${pad}policies:${policies.length ? "" : " []"}`);
  for (const p of policies) {
    lines.push(`${pad}  - name: ${scalar(p.name)}`);
    if (p.description !== null) lines.push(...keyText(indent + 4, "description", p.description));
    lines.push(`${pad}    permissions: ${flowList(p.permissionIds.map((id) => permName.get(id) ?? id).sort())}`);
  }
  if (roles.length > 0 || !limited) lines.push(`${pad}roles:${roles.length ? "" : " []"}`);
  for (const r of roles) {
    lines.push(`${pad}  - name: ${scalar(r.name)}`);
    if (r.description !== null) lines.push(...keyText(indent + 4, "description", r.description));
    lines.push(`${pad}    policies: ${flowList(r.policyIds.map((id) => policyName.get(id) ?? id).sort())}`);
  }
  return lines;
}

function flowMap(m: Record<string, string>): string {
  return `{ ${Object.entries(m).map(([k, v]) => `${k}: ${flowScalar(v)}`).join(", ")} }`;
}

function conditionLines(key: "when" | "unless", list: string[]): string[] {
  if (list.length === 0) return [];
  if (list.length === 1) return keyText(8, key, list[0]!);
  return [`        ${key}:`, ...list.map((c) => `          - ${scalar(c)}`)];
}

function cedarPolicyLines(p: LiveCedarPolicy): string[] {
  const lines = [`    - name: ${scalar(p.name)}`];
  if (p.description !== null) lines.push(...keyText(6, "description", p.description));
  if (!p.enabled) lines.push(`      enabled: false`);
  if (p.priority !== 0) lines.push(`      priority: ${p.priority}`);
  lines.push(`      maxDurationSeconds: ${p.maxDurationSeconds}`);
  if (p.defaultDurationSeconds !== null) lines.push(`      defaultDurationSeconds: ${p.defaultDurationSeconds}`);
  if (p.notificationChannel !== null) lines.push(`      notificationChannel: ${scalar(p.notificationChannel)}`);
  lines.push(`      rules:${p.rules.length ? "" : " []"}`);
  for (const r of p.rules) {
    const form = structuredForm(r.text);
    if (form) {
      lines.push(`        - effect: ${form.effect}`);
      if (form.principal) lines.push(`          principal: ${flowMap(form.principal)}`);
      if (form.action) lines.push(`          action: ${"eq" in form.action ? `{ eq: ${flowScalar(form.action.eq)} }` : `{ in: ${flowList(form.action.in)} }`}`);
      if (form.resource) lines.push(`          resource: ${flowMap(form.resource)}`);
      lines.push(...conditionLines("when", form.when).map((l) => "  " + l), ...conditionLines("unless", form.unless).map((l) => "  " + l));
    } else {
      const text = r.text.trim();
      lines.push(...keyText(10, "cedar", text).map((l, i) => (i === 0 ? `        - ${l.trimStart()}` : l)));
    }
    if (r.notice !== null) lines.push(...keyText(10, "notice", r.notice));
    if (!r.auditSession) lines.push(`          auditSession: false`);
  }
  return lines;
}

export function exportFiles(live: LiveState, options: ExportOptions): Map<string, string> {
  const files = new Map<string, string>();
  const only = options.only ?? [];
  const keep = (a: Address): boolean => only.length === 0 || matchAny(only, a);

  const org = live.organization;
  const orgKeep = (kind: "policy" | "role", name: string): boolean => keep({ kind: kind === "policy" ? "org-policy" : "org-role", name });
  if (org && (only.length === 0 || [...org.policies.map((p) => orgKeep("policy", p.name)), ...org.roles.filter((r) => !r.system).map((r) => orgKeep("role", r.name))].some(Boolean))) {
    files.set(
      "organization.yaml",
      [modeline(options.schemaFromRoot, 0), "organization:", ...rbacLines(org, 2, orgKeep, only.length > 0)].join("\n") + "\n",
    );
  }
  const projects = (live.projects ?? []).filter((p) => p.scope && (p.scope.policies.length > 0 || p.scope.roles.some((r) => !r.system)));
  const projectStems = uniqueStems(projects.map((p) => p.name));
  for (const p of projects.sort(byName)) {
    const keepIn = (kind: "policy" | "role", name: string): boolean => keep({ kind: kind === "policy" ? "project-policy" : "project-role", project: p.name, name });
    if (only.length > 0 && ![...p.scope!.policies, ...p.scope!.roles.filter((r) => !r.system)].some((o) => keepIn("policy", o.name) || keepIn("role", o.name))) continue;
    files.set(
      `projects/${projectStems.get(p.name)}.yaml`,
      [modeline(options.schemaFromRoot, 1), "projects:", `  - name: ${scalar(p.name)}`, ...rbacLines(p.scope!, 4, keepIn, only.length > 0)].join("\n") + "\n",
    );
  }
  const cedar = (live.cedar?.policies ?? []).filter((p) => keep({ kind: "cedar-policy", name: p.name })).sort(byName);
  const cedarStems = uniqueStems(cedar.map((p) => p.name));
  for (const p of cedar) {
    files.set(`cedar/${cedarStems.get(p.name)}.yaml`, [modeline(options.schemaFromRoot, 1), "cedar:", "  policies:", ...cedarPolicyLines(p)].join("\n") + "\n");
  }
  if (only.length > 0 && files.size > 0) {
    // The exported collections are authoritative; `owns` keeps the objects --only left out from being deleted.
    files.set("accessctl.yaml", [modeline(options.schemaFromRoot, 0), "accessctl:", `  owns: ${flowList(only.map((p) => p.source))}`].join("\n") + "\n");
  }
  return files;
}
