/**
 * Offline reference checks: a role naming a policy its scope does not declare (when that scope's policies are
 * managed here), and custom roles taking a system role's name. References into unmanaged scopes are resolved
 * against the live state at plan time.
 */
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { DesiredRbacScope } from "./types.js";

export const ORG_SYSTEM_ROLES = ["Owner", "Admin", "Member"] as const;
export const PROJECT_SYSTEM_ROLES = ["Owner", "Manager", "Member"] as const;

export function checkScopeReferences(scope: DesiredRbacScope, scopeName: string, systemRoles: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const policies = scope.policies ? new Set(scope.policies.map((p) => p.name)) : undefined;
  for (const role of scope.roles ?? []) {
    const system = systemRoles.find((s) => s.toLowerCase() === role.name.toLowerCase());
    if (system) {
      out.push(
        diag("system-role-name", `\`${role.name}\` is the name of a system role of ${scopeName}`, role.loc, {
          address: role.address,
          hint: `system roles (${systemRoles.join(", ")}) cannot be declared, edited or deleted: choose another name`,
        }),
      );
    }
    const seen = new Set<string>();
    for (const ref of role.policies) {
      if (seen.has(ref.name)) {
        out.push(
          diag("duplicate-reference", `role \`${role.name}\` lists policy \`${ref.name}\` twice`, ref.loc, {
            address: role.address,
            hint: "remove the repeated name",
          }),
        );
      }
      seen.add(ref.name);
      if (policies && !policies.has(ref.name)) {
        out.push(
          diag("unknown-policy", `role \`${role.name}\` names policy \`${ref.name}\`, which ${scopeName} does not declare`, ref.loc, {
            address: role.address,
            hint: `declare the policy under ${scopeName === "the organization" ? "organization.policies" : "this project's policies"}, or fix the name (a role uses policies of its own scope only)`,
          }),
        );
      }
    }
  }
  for (const policy of scope.policies ?? []) {
    const seen = new Set<string>();
    for (const ref of policy.permissions) {
      if (seen.has(ref.name)) {
        out.push(
          diag("duplicate-reference", `policy \`${policy.name}\` lists permission \`${ref.name}\` twice`, ref.loc, {
            address: policy.address,
            hint: "remove the repeated name",
          }),
        );
      }
      seen.add(ref.name);
    }
  }
  return out;
}
