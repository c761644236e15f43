/**
 * The benchmark's desired-state generator: realistic shapes, seeded so every run writes the same files.
 * Organization and several projects hold policies of 5–20 permissions and roles of 1–5 policies; the Cedar
 * tenant holds policies of 10–50 rules using every scope form (any, ==, in, is, is-in; action lists; when and
 * unless), written as structured fields, as `cedar:` statements and as `.cedar` files, checked against a schema.
 *
 * "Objects" are what a plan addresses: RBAC policies, roles, Cedar policies and Cedar rules.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { orgPermissionNames, projectPermissionNames } from "../src/emulator/seed.js";

/** Projects the generator manages; the first three are the emulator's seeded ones, the rest are added by state.ts. */
export const BENCH_PROJECTS = ["Support Bot", "Search", "Analytics", "Billing Portal", "Data Platform", "Mobile App"];

export interface GenerateOptions {
  /** Total declared objects (policies + roles + Cedar policies + Cedar rules), approximately. */
  objects: number;
  seed?: number;
  /** Share of the objects that are Cedar (policies + rules); default 0.4. */
  cedarShare?: number;
}

export interface GeneratedCounts {
  rbacPolicies: number;
  roles: number;
  cedarPolicies: number;
  cedarRules: number;
  total: number;
  files: number;
}

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CEDAR_SCHEMA = `entity Group in [Group];
entity Team;
entity User in [Group] {
  department?: String,
};
entity AwsAccount in [Team] {
  environment: String,
};
entity Database in [Team] {
  environment: String,
};

action request_access, extend_session, approve appliesTo {
  principal: [User],
  resource: [AwsAccount, Database],
  context: {
    duration_seconds: Long,
    ticket?: String,
  },
};
`;

const ACTIONS = ["request_access", "extend_session", "approve"];
const HEADER = (depth: number) => `# yaml-language-server: $schema=${"../".repeat(depth)}schemas/accessctl.schema.json\n`;

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
function sample<T>(r: Rand, xs: readonly T[], n: number): T[] {
  const copy = [...xs];
  const out: T[] = [];
  while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(r() * copy.length), 1)[0]!);
  return out;
}

interface RbacScopeDoc {
  policies: { name: string; description?: string; permissions: string[] }[];
  roles: { name: string; description?: string; policies: string[] }[];
}

/** Policies and roles of one scope, about `n` objects (2 policies per role). */
function rbacScope(r: Rand, n: number, permissions: readonly string[], prefix: string): RbacScopeDoc {
  const nPolicies = Math.max(1, Math.round((n * 2) / 3));
  const nRoles = Math.max(0, n - nPolicies);
  const policies = Array.from({ length: nPolicies }, (_, i) => {
    const p = { name: `${prefix} policy ${String(i + 1).padStart(5, "0")}`, permissions: sample(r, permissions, int(r, 5, 20)).sort() };
    return r() < 0.7 ? { ...p, description: `Grants ${p.permissions.length} permissions (${prefix.toLowerCase()} #${i + 1})` } : p;
  });
  const roles = Array.from({ length: nRoles }, (_, i) => {
    const role = { name: `${prefix} role ${String(i + 1).padStart(5, "0")}`, policies: sample(r, policies, int(r, 1, 5)).map((p) => p.name) };
    return r() < 0.6 ? { ...role, description: `Role ${i + 1} of ${prefix.toLowerCase()}` } : role;
  });
  return { policies, roles };
}

export type Scope = Record<string, unknown>;

function entityScope(r: Rand, kind: "principal" | "resource", i: number): Scope | undefined {
  const form = i % 5; // every form, in turn
  if (kind === "principal") {
    switch (form) {
      case 0: return undefined;
      case 1: return { eq: `User::"user-${int(r, 1, 500)}"` };
      case 2: return { in: `Group::"${pick(r, ["sre", "oncall", "dba", "security", "platform"])}"` };
      case 3: return { is: "User" };
      default: return { is: "User", in: `Group::"team-${int(r, 1, 40)}"` };
    }
  }
  switch ((form + 2) % 5) {
    case 0: return undefined;
    case 1: return { eq: `AwsAccount::"acct-${int(r, 1, 300)}"` };
    case 2: return { in: `Team::"${pick(r, ["payments", "search", "growth", "core"])}"` };
    case 3: return { is: pick(r, ["AwsAccount", "Database"]) };
    default: return { is: "Database", in: `Team::"team-${int(r, 1, 40)}"` };
  }
}

function actionScope(r: Rand, i: number): Scope | undefined {
  switch (i % 3) {
    case 0: return undefined;
    case 1: return { eq: pick(r, ACTIONS) };
    default: return { in: sample(r, ACTIONS, int(r, 2, 3)) };
  }
}

/** A condition unique to rule `i` of its policy, so no two rules of a policy share a meaning. */
function conditions(r: Rand, i: number): { when?: string | string[]; unless?: string } {
  const limit = `context.duration_seconds <= ${600 + 60 * i}`;
  switch (i % 4) {
    case 0: return { when: limit };
    case 1: return { when: [limit, 'principal has department && principal.department == "' + pick(r, ["sre", "dba", "sec"]) + '"'] };
    case 2: return { when: limit, unless: "context has ticket" };
    default: return { when: `${limit} && resource.environment == "${pick(r, ["prod", "staging", "dev"])}"` };
  }
}

/** The Cedar text of a rule in the files' structured form (also the floor process's whole assembler). */
export function textOf(effect: string, p?: Scope, a?: Scope, res?: Scope, c: { when?: string | string[]; unless?: string } = {}): string {
  const ent = (v: string, s?: Scope): string => {
    if (!s) return v;
    if (s.eq) return `${v} == ${s.eq as string}`;
    if (s.is && s.in) return `${v} is ${s.is as string} in ${s.in as string}`;
    if (s.is) return `${v} is ${s.is as string}`;
    return `${v} in ${s.in as string}`;
  };
  const act = !a ? "action" : a.eq ? `action == Action::"${a.eq as string}"` : `action in [${(a.in as string[]).map((x) => `Action::"${x}"`).join(", ")}]`;
  const whens = c.when === undefined ? [] : Array.isArray(c.when) ? c.when : [c.when];
  const clauses = [...whens.map((w) => `when { ${w} }`), ...(c.unless ? [`unless { ${c.unless} }`] : [])];
  return `${effect} (${ent("principal", p)}, ${act}, ${ent("resource", res)})${clauses.length ? "\n" + clauses.join("\n") : ""};`;
}

interface CedarRuleDoc {
  [k: string]: unknown;
}

function cedarRules(r: Rand, n: number): { yaml: CedarRuleDoc[]; texts: string[] } {
  const yaml: CedarRuleDoc[] = [];
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const effect = r() < 0.8 ? "permit" : "forbid";
    const principal = entityScope(r, "principal", i);
    const action = actionScope(r, i);
    const resource = entityScope(r, "resource", i);
    const cond = conditions(r, i);
    const text = textOf(effect, principal, action, resource, cond);
    texts.push(text);
    if (i % 7 === 6) {
      yaml.push({ cedar: text, ...(i % 2 ? { notice: `Rule ${i + 1} is recorded` } : {}) });
    } else {
      yaml.push({
        effect,
        ...(principal ? { principal } : {}),
        ...(action ? { action } : {}),
        ...(resource ? { resource } : {}),
        ...cond,
        ...(i % 3 === 0 ? { notice: `Access under rule ${i + 1} is recorded` } : {}),
        ...(i % 11 === 5 ? { auditSession: false } : {}),
      });
    }
  }
  return { yaml, texts };
}

function write(dir: string, rel: string, text: string): void {
  const path = join(dir, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

const CHUNK = 400;

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out.length ? out : [[]];
}

/** Writes the desired-state directory and says what it holds. */
export function generateDesired(dir: string, options: GenerateOptions): GeneratedCounts {
  const r = rng(options.seed ?? 1);
  const cedarShare = options.cedarShare ?? 0.4;
  const cedarObjects = Math.round(options.objects * cedarShare);
  const rbacObjects = options.objects - cedarObjects;
  mkdirSync(dir, { recursive: true });
  let files = 0;
  const counts: GeneratedCounts = { rbacPolicies: 0, roles: 0, cedarPolicies: 0, cedarRules: 0, total: 0, files: 0 };

  // RBAC: the organization takes a fifth, the projects share the rest. Large scopes spread over several files
  // (a project may appear in several files; its collections merge).
  const orgN = Math.round(rbacObjects / 5);
  const perProject = Math.floor((rbacObjects - orgN) / BENCH_PROJECTS.length);
  const scopes: { key: string; n: number; doc: RbacScopeDoc }[] = [];
  const org = rbacScope(r, orgN, orgPermissionNames(), "Org");
  scopes.push({ key: "organization", n: orgN, doc: org });
  BENCH_PROJECTS.forEach((name, pi) => {
    const n = pi === BENCH_PROJECTS.length - 1 ? rbacObjects - orgN - perProject * (BENCH_PROJECTS.length - 1) : perProject;
    scopes.push({ key: name, n, doc: rbacScope(r, n, projectPermissionNames(), name) });
  });
  for (const s of scopes) {
    counts.rbacPolicies += s.doc.policies.length;
    counts.roles += s.doc.roles.length;
    const policyChunks = chunks(s.doc.policies, CHUNK);
    const roleChunks = chunks(s.doc.roles, CHUNK);
    const nFiles = Math.max(policyChunks.length, roleChunks.length);
    for (let f = 0; f < nFiles; f++) {
      const body: Record<string, unknown> = {};
      if (f < policyChunks.length) body.policies = policyChunks[f];
      if (f < roleChunks.length) body.roles = roleChunks[f];
      const slug = s.key.toLowerCase().replace(/[^a-z0-9]+/g, "-");
      if (s.key === "organization") {
        const doc: Record<string, unknown> = { organization: body };
        if (f === 0) doc.accessctl = { protect: ["organization/roles/Org role 00001"], thresholds: { updatePercent: 30, deletePercent: 30, minExisting: 10 } };
        write(dir, `organization/part-${f + 1}.yaml`, HEADER(1) + stringify(doc, { lineWidth: 0 }));
      } else {
        write(dir, `projects/${slug}/part-${f + 1}.yaml`, HEADER(2) + stringify({ projects: [{ name: s.key, ...body }] }, { lineWidth: 0 }));
      }
      files++;
    }
  }

  // Cedar: policies of 10–50 rules until the share is used up; every fifth policy keeps its rules in a .cedar file.
  write(dir, "cedar/schema.cedarschema", CEDAR_SCHEMA);
  write(
    dir,
    "cedar/entities.json",
    JSON.stringify([
      { uid: { type: "Group", id: "sre" }, attrs: {}, parents: [] },
      { uid: { type: "User", id: "alice" }, attrs: { department: "sre" }, parents: [{ type: "Group", id: "sre" }] },
      { uid: { type: "Team", id: "payments" }, attrs: {}, parents: [] },
      { uid: { type: "AwsAccount", id: "prod" }, attrs: { environment: "prod" }, parents: [{ type: "Team", id: "payments" }] },
    ]),
  );
  files += 2;
  let left = cedarObjects;
  const policies: Record<string, unknown>[] = [];
  let pi = 0;
  // The last policy takes what is left, so the total is exact (a policy is itself one object).
  while (left > 1) {
    const nRules = left - 1 <= 50 ? left - 1 : Math.min(int(r, 10, 50), left - 12);
    pi++;
    const name = `access-${String(pi).padStart(4, "0")}`;
    const { yaml, texts } = cedarRules(r, nRules);
    const max = 3600 * int(r, 1, 12);
    const policy: Record<string, unknown> = {
      name,
      description: `Who may request ${name}`,
      priority: int(r, 0, 100),
      maxDurationSeconds: max,
      ...(r() < 0.5 ? { defaultDurationSeconds: 1800 } : {}),
      ...(r() < 0.5 ? { notificationChannel: `#${name}` } : {}),
      ...(r() < 0.1 ? { enabled: false } : {}),
    };
    if (pi % 5 === 0) {
      write(dir, `cedar/rules/${name}.cedar`, `// Rules of ${name}\n` + texts.join("\n\n") + "\n");
      files++;
      policy.rules = { file: `./rules/${name}.cedar` };
    } else policy.rules = yaml;
    policies.push(policy);
    counts.cedarPolicies++;
    counts.cedarRules += nRules;
    left -= nRules + 1;
  }
  const cedarChunks = chunks(policies, 25);
  cedarChunks.forEach((ps, f) => {
    const cedar: Record<string, unknown> = { policies: ps };
    if (f === 0) {
      cedar.schema = "./schema.cedarschema";
      cedar.tests = {
        entities: "./entities.json",
        cases: [
          {
            name: "no ticket, no day-long session",
            principal: 'User::"alice"',
            action: 'Action::"request_access"',
            resource: 'AwsAccount::"prod"',
            context: { duration_seconds: 86400000 },
            expect: "deny",
          },
        ],
      };
    }
    write(dir, `cedar/policies-${String(f + 1).padStart(3, "0")}.yaml`, HEADER(1) + stringify({ cedar }, { lineWidth: 0 }));
    files++;
  });

  counts.total = counts.rbacPolicies + counts.roles + counts.cedarPolicies + counts.cedarRules;
  counts.files = files;
  return counts;
}
