/**
 * One source for the file format: `schemas/accessctl.schema.json` is the definition, and the TypeScript types
 * (`src/desired/file-format.generated.ts`) are generated from it by `scripts/gen-format-types.mjs`.
 *
 * - the committed types are exactly what the schema generates today (else: run `npm run gen:format`);
 * - the proof that there is one source: a field added to a copy of the schema appears in the generated types — a
 *   value using it type-checks against them (and not against today's types) and passes that schema (and not
 *   today's);
 * - the generator refuses schema keywords it cannot turn into types, so nothing is silently left out;
 * - values: the documented example (docs/file-format.md), typed, validates; values the types reject are rejected by the schema;
 * - every example YAML starts with the `$schema` modeline, points at the schema, and validates.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type * as F from "../../src/desired/file-format.generated.js";
import { ROOT } from "../helpers/cli.js";

interface GeneratorScript {
  generateFormatTypes(schema: unknown): string;
  SCHEMA_FILE: string;
  TYPES_FILE: string;
}

// A URL held in a variable: the script is plain JavaScript (run by node without a build step).
const scriptUrl = pathToFileURL(join(ROOT, "scripts/gen-format-types.mjs")).href;
const { generateFormatTypes, SCHEMA_FILE, TYPES_FILE } = (await import(scriptUrl)) as GeneratorScript;

const SCHEMA_PATH = join(ROOT, SCHEMA_FILE);
const schemaText = readFileSync(SCHEMA_PATH, "utf8");
const schema = JSON.parse(schemaText) as Schema;
const committedTypes = readFileSync(join(ROOT, TYPES_FILE), "utf8");

type Schema = Record<string, any>;
const copyOfSchema = (): Schema => JSON.parse(schemaText) as Schema;

/**
 * Type-checks each snippet appended to a types module, in memory, and returns each file's error codes. One
 * program for all files keeps it to one load of the standard library.
 */
function typeErrors(files: Record<string, string>): Record<string, number[]> {
  // ES5 alone (no DOM): the types need only `Record` and arrays, and a small library keeps this check fast.
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, lib: ["lib.es5.d.ts"], types: [] };
  const host = ts.createCompilerHost(options);
  const names = Object.keys(files).map((n) => `/virtual/${n}.ts`);
  const virtual = new Map(Object.entries(files).map(([n, text]) => [`/virtual/${n}.ts`, text]));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => {
    const text = virtual.get(name);
    return text === undefined ? getSourceFile(name, lang, ...rest) : ts.createSourceFile(name, text, lang);
  };
  host.fileExists = ((exists) => (name: string) => virtual.has(name) || exists(name))(host.fileExists.bind(host));
  host.readFile = ((read) => (name: string) => virtual.get(name) ?? read(name))(host.readFile.bind(host));
  const program = ts.createProgram(names, options, host);
  return Object.fromEntries(
    Object.keys(files).map((n) => [n, [...program.getSyntacticDiagnostics(program.getSourceFile(`/virtual/${n}.ts`)), ...program.getSemanticDiagnostics(program.getSourceFile(`/virtual/${n}.ts`))].map((d) => d.code)]),
  );
}

describe("the file-format types follow from the JSON Schema", () => {
  it(`${TYPES_FILE} is what ${SCHEMA_FILE} generates (else: npm run gen:format)`, () => {
    expect(generateFormatTypes(schema) === committedTypes, `${TYPES_FILE} is stale: run npm run gen:format`).toBe(true);
  });

  it("the generator is deterministic and leaves the schema it reads unchanged", () => {
    const copy = copyOfSchema();
    expect(generateFormatTypes(copy)).toBe(generateFormatTypes(copy));
    expect(copy).toEqual(schema);
  });

  it("one source: a field added to the schema appears in the types, and values using it check on both sides", () => {
    const changed = copyOfSchema();
    changed["$defs"].cedarPolicy.properties.owner = { type: "string", minLength: 1, description: "The team that owns the policy." };
    const types = generateFormatTypes(changed);
    expect(types).not.toBe(committedTypes); // the freshness check above would now fail until regenerated
    const cedarPolicy = /export interface CedarPolicyFile \{[\s\S]*?\n\}/.exec(types)?.[0] ?? "";
    expect(cedarPolicy).toContain("  /** The team that owns the policy. */\n  owner?: string;\n");

    const snippet = `\nexport const file: AccessctlFile = { cedar: { policies: [{ name: "p", maxDurationSeconds: 60, rules: [], owner: "team-a" }] } };\n`;
    const errors = typeErrors({ today: committedTypes + snippet, changed: types + snippet });
    expect(errors["changed"], "the value type-checks against the regenerated types").toEqual([]);
    // TS2353: object literal may only specify known properties.
    expect(errors["today"], "today's types refuse the unknown field").toEqual([2353]);

    const value = { cedar: { policies: [{ name: "p", maxDurationSeconds: 60, rules: [], owner: "team-a" }] } };
    expect(new Ajv2020({ strict: false }).compile(changed)(value), "the changed schema accepts the field").toBe(true);
    expect(validate(value), "today's schema refuses it").toBe(false);
  });

  it("a required field, an enum and a new object definition come through as such", () => {
    const changed = copyOfSchema();
    changed["$defs"].role.required.push("owner");
    changed["$defs"].role.properties.owner = { $ref: "#/$defs/owner" };
    changed["$defs"].owner = {
      type: "object",
      additionalProperties: false,
      required: ["team"],
      description: "Who answers for the object.",
      properties: { team: { type: "string" }, tier: { $ref: "#/$defs/tier" } },
    };
    changed["$defs"].tier = { enum: ["gold", "silver"], description: "How fast the owner answers." };
    const types = generateFormatTypes(changed);
    expect(/export interface RoleFile \{[\s\S]*?\n\}/.exec(types)?.[0]).toContain("  /** Who answers for the object. */\n  owner: OwnerFile;\n");
    expect(types).toContain("/** Who answers for the object. */\nexport interface OwnerFile {\n  team: string;\n  /** How fast the owner answers. */\n  tier?: Tier;\n}");
    expect(types).toContain('export const TIERS = ["gold", "silver"] as const;');
    expect(types).toContain("export type Tier = (typeof TIERS)[number];");
  });

  it("the generator refuses keywords it cannot turn into types (nothing is silently left out)", () => {
    const withAllOf = copyOfSchema();
    withAllOf["$defs"].role.allOf = [{ required: ["name"] }];
    expect(() => generateFormatTypes(withAllOf)).toThrow(/allOf is not supported/);
    const untitled = copyOfSchema();
    delete untitled["$defs"].rule.oneOf[0].title;
    expect(() => generateFormatTypes(untitled)).toThrow(/needs a title/);
    const open = copyOfSchema();
    delete open["$defs"].role.additionalProperties;
    expect(() => generateFormatTypes(open)).toThrow(/additionalProperties: false/);
  });
});

// ---- values: what the types accept, the schema accepts; what they reject, it rejects ---------------------------
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const errorsOf = (v: unknown): string => JSON.stringify(validate.errors ?? [], null, 1);

/** The example of docs/file-format.md (every key), typed. */
const DOCUMENTED_EXAMPLE: F.AccessctlFile = {
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
  it("the documented example, typed as AccessctlFile, is valid under the schema", () => {
    expect(validate(DOCUMENTED_EXAMPLE), errorsOf(DOCUMENTED_EXAMPLE)).toBe(true);
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
    // @ts-expect-error `expect` is allow or deny
    const permitCase: F.AccessTestCaseFile = { name: "t", principal: "p", action: "a", resource: "r", expect: "permit" };
    const asFile = (rule: unknown): unknown => ({ cedar: { policies: [{ name: "p", maxDurationSeconds: 60, rules: [rule] }] } });
    for (const rule of [both, neither, allow]) expect(validate(asFile(rule)), JSON.stringify(rule)).toBe(false);
    expect(validate({ organization: { policies: [noPermissions] } })).toBe(false);
    expect(validate({ organization: { roles: [unknownKey] } })).toBe(false);
    expect(validate({ cedar: { policies: [bareFile] } })).toBe(false);
    expect(validate({ cedar: { tests: { cases: [permitCase] } } })).toBe(false);
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
