/**
 * The seeded catalogue (docs/services.md#the-emulator). Everything here is deterministic (ids from names, a fixed timestamp), so
 * two fresh emulators, or a fresh one and a restored state file, show the same seeded objects.
 */

import { seededId } from "./ids.js";
import {
  ORG_SCOPE,
  type MemberRecord,
  type PermissionRecord,
  type ProjectRecord,
  type RoleRecord,
  type StateData,
} from "./model.js";

const ORG_RESOURCES = [
  "project", "organization", "featureAccess", "sso", "apiKey", "user", "billing", "modelCredential", "modelCost",
  "metric", "retentionConfig", "iam",
];
const ORG_EXTRA = ["project:create", "project:delete", "user:delete"];

const PROJECT_RESOURCES = [
  "dataset", "golden", "metric", "metricCollection", "evaluationRule", "trace", "span", "thread", "endUser",
  "testRun", "testCase", "experiment", "prompt", "promptVersion", "promptLabel", "annotationQueue", "apiKey",
  "modelCredential", "evaluationModel", "alertConfig", "integration", "user",
];
const PROJECT_EXTRA = ["testRun:evaluate", "iam:manage", "project:delete"];

export const ORG_SYSTEM_ROLES = ["Owner", "Admin", "Member"] as const;
export const PROJECT_SYSTEM_ROLES = ["Owner", "Manager", "Member"] as const;
const PROJECTS = ["Support Bot", "Search", "Analytics"];
const MEMBERS: { email: string; name: string; orgRole: (typeof ORG_SYSTEM_ROLES)[number] }[] = [
  { email: "owner@example.com", name: "Olivia Owner", orgRole: "Owner" },
  { email: "admin@example.com", name: "Adam Admin", orgRole: "Admin" },
  { email: "dev@example.com", name: "Dana Dev", orgRole: "Member" },
  { email: "ops@example.com", name: "Oscar Ops", orgRole: "Member" },
];
const SEED_TIME = "2024-01-01T00:00:00.000Z";

export function orgPermissionNames(): string[] {
  return [...ORG_RESOURCES.flatMap((r) => [`${r}:read`, `${r}:manage`]), ...ORG_EXTRA];
}

export function projectPermissionNames(): string[] {
  return [
    ...PROJECT_RESOURCES.flatMap((r) => [`${r}:create`, `${r}:read`, `${r}:update`, `${r}:delete`]),
    ...PROJECT_EXTRA,
  ];
}

function describe(name: string): string {
  const [resource, action] = name.split(":");
  return `Allows ${action ?? "?"} on ${resource ?? "?"}`;
}

/** Project permission ids differ per project, so a client that resolves names in the wrong scope gets a 422. */
function permissions(scope: string, names: string[]): PermissionRecord[] {
  return names.map((name) => ({ id: seededId("perm", scope, name), scope, name, description: describe(name) }));
}

function systemRoles(scope: string, names: readonly string[]): RoleRecord[] {
  return names.map((name) => ({
    id: seededId("role", scope, name),
    scope,
    name,
    description: `System role ${name}`,
    system: true,
    policyIds: [],
  }));
}

export function seedState(): StateData {
  const projects: ProjectRecord[] = PROJECTS.map((name) => ({
    id: seededId("proj", name),
    name,
    description: null,
    created_at: SEED_TIME,
  }));
  const roles = [
    ...systemRoles(ORG_SCOPE, ORG_SYSTEM_ROLES),
    ...projects.flatMap((p) => systemRoles(p.id, PROJECT_SYSTEM_ROLES)),
  ];
  const members: MemberRecord[] = MEMBERS.map((m) => ({
    id: seededId("user", m.email),
    email: m.email,
    name: m.name,
    organizationRoleId: seededId("role", ORG_SCOPE, m.orgRole),
    projectRoleIds: Object.fromEntries(projects.map((p) => [p.id, seededId("role", p.id, "Member")])),
  }));
  return {
    format: "accessctl-emulator-state",
    version: 1,
    organizationId: seededId("org", "organization"),
    seq: 0,
    counter: 0,
    collections: {
      permissions: [
        ...permissions(ORG_SCOPE, orgPermissionNames()),
        ...projects.flatMap((p) => permissions(p.id, projectPermissionNames())),
      ],
      projects,
      members,
      policies: [],
      roles,
      cedarPolicies: [],
      cedarRules: [],
    },
  };
}
