/**
 * The JSON Schema (`schemas/accessctl.schema.json`, the single source of truth) and the TypeScript file-format
 * types (`src/desired/file-format.ts`) agree:
 *
 * - each key table below is checked against its interface by the compiler (`satisfies KeyTable<T>`: every key
 *   of T, no other key, and "required"/"optional" exactly as T declares it), and against the schema's
 *   `properties` / `required` by the test — so adding a key to one side only fails type-checking or the test;
 * - every object definition of the schema that has `properties` is covered by a table;
 * - enums agree; values the types reject are rejected by the schema, and a typed value is accepted by it;
 * - every example YAML starts with the `$schema` modeline, points at the schema, and validates.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type * as F from "../../src/desired/file-format.js";
import { EFFECTS, EXPECTATIONS } from "../../src/desired/file-format.js";
import { ROOT } from "../helpers/cli.js";

const SCHEMA_PATH = join(ROOT, "schemas/accessctl.schema.json");
const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as SchemaNode;

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  enum?: unknown[];
  $defs?: Record<string, SchemaNode>;
  [k: string]: unknown;
}

/** For each key of T: whether T requires it. */
type KeyTable<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? "optional" : "required" };

// ---- key tables: the compiler holds each to its interface ------------------------------------------------
const FILE = { organization: "optional", projects: "optional", cedar: "optional", accessctl: "optional" } satisfies KeyTable<F.AccessctlFile>;
const RBAC_SCOPE = { policies: "optional", roles: "optional" } satisfies KeyTable<F.RbacScopeFile>;
const PROJECT = { name: "required", policies: "optional", roles: "optional" } satisfies KeyTable<F.ProjectFile>;
const RBAC_POLICY = {
  name: "required",
  description: "optional",
  permissions: "required",
  previousNames: "optional",
} satisfies KeyTable<F.RbacPolicyFile>;
const ROLE = { name: "required", description: "optional", policies: "required", previousNames: "optional" } satisfies KeyTable<F.RoleFile>;
const CEDAR = { schema: "optional", policies: "optional", tests: "optional" } satisfies KeyTable<F.CedarFile>;
const CEDAR_POLICY = {
  name: "required",
  description: "optional",
  enabled: "optional",
  priority: "optional",
  maxDurationSeconds: "required",
  defaultDurationSeconds: "optional",
  notificationChannel: "optional",
  previousNames: "optional",
  rules: "required",
} satisfies KeyTable<F.CedarPolicyFile>;
const RULES_FROM_FILE = { file: "required" } satisfies KeyTable<F.RulesFromFile>;
const ENTITY_SCOPE = { eq: "optional", in: "optional", is: "optional" } satisfies KeyTable<F.EntityScopeFile>;
const ACTION_SCOPE = { eq: "optional", in: "optional" } satisfies KeyTable<F.ActionScopeFile>;
const STRUCTURED_RULE = {
  effect: "required",
  principal: "optional",
  action: "optional",
  resource: "optional",
  when: "optional",
  unless: "optional",
  cedar: "optional",
  notice: "optional",
  auditSession: "optional",
} satisfies KeyTable<F.StructuredRuleFile>;
const CEDAR_RULE = {
  cedar: "required",
  effect: "optional",
  principal: "optional",
  action: "optional",
  resource: "optional",
  when: "optional",
  unless: "optional",
  notice: "optional",
  auditSession: "optional",
} satisfies KeyTable<F.CedarStatementRuleFile>;
const TESTS = { entities: "optional", cases: "required" } satisfies KeyTable<F.AccessTestsFile>;
const TEST_CASE = {
  name: "required",
  principal: "required",
  action: "required",
  resource: "required",
  context: "optional",
  expect: "required",
} satisfies KeyTable<F.AccessTestCaseFile>;
const SETTINGS = { owns: "optional", ignore: "optional", protect: "optional", thresholds: "optional" } satisfies KeyTable<F.SettingsFile>;
const THRESHOLDS = { updatePercent: "optional", deletePercent: "optional", minExisting: "optional" } satisfies KeyTable<F.ThresholdsFile>;

type Table = Record<string, "required" | "optional">;

/** Schema location (JSON pointer) → the TypeScript type's key table. */
const OBJECTS: [pointer: string, type: string, table: Table][] = [
  ["#", "AccessctlFile", FILE],
  ["#/$defs/rbacScope", "RbacScopeFile", RBAC_SCOPE],
  ["#/$defs/project", "ProjectFile", PROJECT],
  ["#/$defs/rbacPolicy", "RbacPolicyFile", RBAC_POLICY],
  ["#/$defs/role", "RoleFile", ROLE],
  ["#/$defs/cedar", "CedarFile", CEDAR],
  ["#/$defs/cedarPolicy", "CedarPolicyFile", CEDAR_POLICY],
  ["#/$defs/cedarPolicy/properties/rules/oneOf/1", "RulesFromFile", RULES_FROM_FILE],
  ["#/$defs/entityScope", "EntityScopeFile", ENTITY_SCOPE],
  ["#/$defs/actionScope", "ActionScopeFile", ACTION_SCOPE],
  ["#/$defs/tests", "AccessTestsFile", TESTS],
  ["#/$defs/tests/properties/cases/items", "AccessTestCaseFile", TEST_CASE],
  ["#/$defs/settings", "SettingsFile", SETTINGS],
  ["#/$defs/settings/properties/thresholds", "ThresholdsFile", THRESHOLDS],
];

function at(pointer: string): SchemaNode {
  const parts = pointer.replace(/^#\/?/, "").split("/").filter((p) => p !== "");
  let node: unknown = schema;
  for (const p of parts) {
    node = (node as Record<string, unknown> | undefined)?.[p.replace(/~1/g, "/").replace(/~0/g, "~")];
    if (node === undefined) throw new Error(`no ${pointer} in the schema`);
  }
  return node as SchemaNode;
}

/** Follows local `$ref`s. */
function deref(node: SchemaNode): SchemaNode {
  let n = node;
  for (let i = 0; n.$ref !== undefined && i < 20; i++) n = at(n.$ref);
  return n;
}

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();
const requiredOf = (t: Table): string[] => sorted(Object.keys(t).filter((k) => t[k] === "required"));

/** Every schema location (not through `$ref`) that describes an object with `properties`. */
function objectPointers(node: unknown, pointer = "#"): string[] {
  if (!node || typeof node !== "object") return [];
  const out: string[] = [];
  const n = node as SchemaNode;
  if (!Array.isArray(node) && n.properties && typeof n.properties === "object") out.push(pointer);
  for (const [k, v] of Object.entries(node)) {
    if (k === "examples" || k === "default" || k === "enum" || k === "const") continue;
    out.push(...objectPointers(v, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
  }
  return out;
}

describe("the JSON Schema and the file-format types agree", () => {
  it.each(OBJECTS)("%s has the keys of %s", (pointer, _type, table) => {
    const node = deref(at(pointer));
    expect(node.type === "object" || pointer.endsWith("oneOf/1"), "an object schema").toBe(true);
    expect(sorted(Object.keys(node.properties ?? {}))).toEqual(sorted(Object.keys(table)));
    expect(sorted(node.required ?? [])).toEqual(requiredOf(table));
    expect(node.additionalProperties, "unknown keys are rejected").toBe(false);
  });

  it("covers every object definition of the schema", () => {
    const covered = new Set([...OBJECTS.map(([p]) => p), "#/$defs/rule"]);
    const uncovered = objectPointers(schema).filter((p) => !covered.has(p));
    expect(uncovered, "schema objects without a key table in this test (and a type in file-format.ts)").toEqual([]);
  });

  it("#/$defs/rule has the keys of both rule forms, each form requiring its own key", () => {
    const rule = at("#/$defs/rule");
    const keys = sorted(Object.keys(rule.properties ?? {}));
    expect(keys).toEqual(sorted(Object.keys(STRUCTURED_RULE)));
    expect(keys).toEqual(sorted(Object.keys(CEDAR_RULE)));
    expect(rule.additionalProperties).toBe(false);
    expect(rule.required ?? []).toEqual([]);
    const branches = (rule.oneOf ?? []).map((b) => sorted(b.required ?? []));
    expect(sorted(branches.map((b) => b.join(",")))).toEqual(sorted([requiredOf(CEDAR_RULE).join(","), requiredOf(STRUCTURED_RULE).join(",")]));
  });

  it("enums agree", () => {
    expect(at("#/$defs/rule/properties/effect").enum).toEqual([...EFFECTS]);
    expect(at("#/$defs/tests/properties/cases/items/properties/expect").enum).toEqual([...EXPECTATIONS]);
  });

  it("nullable fields are nullable on both sides", () => {
    // `description`, `notice`, `notificationChannel` are `string | null`; `defaultDurationSeconds` is `number | null`.
    const types = (pointer: string): string[] => {
      const n = deref(at(pointer));
      return sorted(([] as string[]).concat(n.type ?? []));
    };
    const nullable: F.RbacPolicyFile["description"] & F.RoleFile["description"] & F.RuleFile["notice"] = null;
    expect(nullable).toBeNull();
    for (const p of [
      "#/$defs/rbacPolicy/properties/description",
      "#/$defs/role/properties/description",
      "#/$defs/cedarPolicy/properties/description",
      "#/$defs/cedarPolicy/properties/notificationChannel",
      "#/$defs/rule/properties/notice",
    ]) {
      expect(types(p), p).toEqual(["null", "string"]);
    }
    const duration: F.CedarPolicyFile["defaultDurationSeconds"] = null;
    expect(duration).toBeNull();
    expect(types("#/$defs/cedarPolicy/properties/defaultDurationSeconds")).toEqual(["integer", "null"]);
  });
});

// ---- values: what the types accept, the schema accepts; what they reject, it rejects ---------------------------
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const errorsOf = (v: unknown): string => JSON.stringify(validate.errors ?? [], null, 1);

/** SPEC section 1's example, typed. */
const SPEC_EXAMPLE: F.AccessctlFile = {
  organization: {
    policies: [{ name: "Manage billing", description: "Grants access to billing settings", permissions: ["billing:read", "billing:manage"] }],
    roles: [{ name: "Billing Manager", description: "Can manage billing only", policies: ["Manage billing"], previousNames: ["Billing Admin"] }],
  },
  projects: [
    {
      name: "Support Bot",
      policies: [{ name: "View traces", permissions: ["trace:read", "span:read"] }],
      roles: [{ name: "Analyst", policies: ["View traces"] }],
    },
  ],
  cedar: {
    schema: "./cedar/schema.cedarschema",
    policies: [
      {
        name: "production-access",
        description: "Who may request production access",
        enabled: true,
        priority: 10,
        maxDurationSeconds: 14400,
        defaultDurationSeconds: 3600,
        notificationChannel: "#access",
        rules: [
          {
            effect: "permit",
            principal: { in: 'User::"group:sre"' },
            action: { in: ["request_access"] },
            resource: { is: "AwsAccount" },
            when: "context.duration_seconds <= 14400",
            notice: "Production access is recorded",
            auditSession: true,
          },
          { cedar: "forbid(principal, action, resource) unless { context has ticket };" },
        ],
      },
      { name: "break-glass", maxDurationSeconds: 3600, rules: { file: "./cedar/break-glass.cedar" } },
    ],
    tests: {
      entities: "./cedar/entities.json",
      cases: [
        {
          name: "sre may request prod for an hour",
          principal: 'User::"alice"',
          action: 'Action::"request_access"',
          resource: 'AwsAccount::"prod"',
          context: { duration_seconds: 3600, ticket: "INC-1" },
          expect: "allow",
        },
      ],
    },
  },
  accessctl: {
    owns: ["cedar/policies/team-a-*"],
    ignore: ["organization/roles/Legacy *"],
    protect: ["organization/roles/Billing Manager"],
    thresholds: { updatePercent: 30, deletePercent: 30, minExisting: 10 },
  },
};

describe("values", () => {
  it("SPEC's example, typed as AccessctlFile, is valid under the schema", () => {
    expect(validate(SPEC_EXAMPLE), errorsOf(SPEC_EXAMPLE)).toBe(true);
  });

  it("values the types reject are rejected by the schema", () => {
    // @ts-expect-error a rule is structured fields or one `cedar:` statement, not both
    const both: F.RuleFile = { effect: "permit", cedar: "permit(principal, action, resource);" };
    // @ts-expect-error a rule needs `effect` or `cedar`
    const neither: F.RuleFile = { notice: "nothing else" };
    // @ts-expect-error `effect` is permit or forbid
    const allow: F.RuleFile = { effect: "allow" };
    // @ts-expect-error a policy needs its permissions
    const noPermissions: F.RbacPolicyFile = { name: "x" };
    // @ts-expect-error unknown key
    const unknownKey: F.RoleFile = { name: "x", policies: [], descripton: "typo" };
    // @ts-expect-error the rules file is `{file}`, not a bare string
    const bareFile: F.CedarPolicyFile = { name: "x", maxDurationSeconds: 1, rules: "./rules.cedar" };
    const asFile = (rule: unknown): unknown => ({ cedar: { policies: [{ name: "p", maxDurationSeconds: 60, rules: [rule] }] } });
    for (const rule of [both, neither, allow]) expect(validate(asFile(rule)), JSON.stringify(rule)).toBe(false);
    expect(validate({ organization: { policies: [noPermissions] } })).toBe(false);
    expect(validate({ organization: { roles: [unknownKey] } })).toBe(false);
    expect(validate({ cedar: { policies: [bareFile] } })).toBe(false);
    expect(validate({}), "an empty file holds no accessctl key").toBe(false);
  });
});

// ---- examples ---------------------------------------------------------------------------------------------------
function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") out.push(...yamlFilesUnder(p));
    else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

// examples/github holds GitHub workflow files, not desired-state files.
const EXAMPLES = yamlFilesUnder(join(ROOT, "examples"))
  .map((p) => relative(ROOT, p))
  .filter((p) => !p.split(/[\\/]/).includes("github"));

describe("example files", () => {
  it("exist", () => {
    expect(EXAMPLES.length).toBeGreaterThan(0);
  });

  it.each(EXAMPLES)("%s starts with the $schema modeline and validates", (rel) => {
    const file = join(ROOT, rel);
    const text = readFileSync(file, "utf8");
    const first = text.split("\n", 1)[0] ?? "";
    const m = /^# yaml-language-server: \$schema=(\S+)\s*$/.exec(first);
    expect(m, `first line of ${rel}: ${JSON.stringify(first)}`).not.toBeNull();
    const target = resolve(dirname(file), m![1]!);
    expect(existsSync(target), `${m![1]} (from ${rel}) does not exist`).toBe(true);
    expect(target).toBe(SCHEMA_PATH);
    const value: unknown = parse(text);
    expect(validate(value), errorsOf(value)).toBe(true);
  });
});
