import { describe, expect, it } from "vitest";
import { assembleRule, entityLiteral, parseEntityLiteral, RuleFieldsError } from "../../src/cedar/assemble.js";
import { sameRule } from "../../src/cedar/canonical.js";
import { decomposeRule } from "../../src/cedar/decompose.js";
import type { RuleScopeFields } from "../../src/cedar/rule-fields.js";
import { ruleFields } from "../helpers/builders.js";

const fields = ruleFields;

const table: [string, Partial<RuleScopeFields>, string][] = [
  ["all any", {}, "permit(principal, action, resource);"],
  ["forbid", { effect: "forbid" }, "forbid(principal, action, resource);"],
  [
    "principal eq",
    { principal_scope_type: "eq", principal_entity_type: "User", principal_entity_id: "alice" },
    'permit(principal == User::"alice", action, resource);',
  ],
  [
    "principal in, namespaced",
    { principal_scope_type: "in", principal_entity_type: "Acme::Group", principal_entity_id: "group:sre" },
    'permit(principal in Acme::Group::"group:sre", action, resource);',
  ],
  ["principal is", { principal_scope_type: "is", principal_entity_type: "User" }, "permit(principal is User, action, resource);"],
  [
    "principal is_in",
    { principal_scope_type: "is_in", principal_entity_type: "User", principal_entity_id: 'Group::"eng"' },
    'permit(principal is User in Group::"eng", action, resource);',
  ],
  [
    "resource eq",
    { resource_scope_type: "eq", resource_entity_type: "AwsAccount", resource_entity_id: "prod" },
    'permit(principal, action, resource == AwsAccount::"prod");',
  ],
  [
    "resource in",
    { resource_scope_type: "in", resource_entity_type: "Folder", resource_entity_id: "f" },
    'permit(principal, action, resource in Folder::"f");',
  ],
  ["resource is", { resource_scope_type: "is", resource_entity_type: "AwsAccount" }, "permit(principal, action, resource is AwsAccount);"],
  [
    "resource is_in",
    { resource_scope_type: "is_in", resource_entity_type: "Doc", resource_entity_id: 'Folder::"a\\"b"' },
    'permit(principal, action, resource is Doc in Folder::"a\\"b");',
  ],
  ["action eq bare", { action_scope_type: "eq", action_ids: ["read"] }, 'permit(principal, action == Action::"read", resource);'],
  [
    "action eq whole literal",
    { action_scope_type: "eq", action_ids: ['Ns::Action::"read"'] },
    'permit(principal, action == Ns::Action::"read", resource);',
  ],
  [
    "action in mixed",
    { action_scope_type: "in", action_ids: ["a", 'Action::"b"'] },
    'permit(principal, action in [Action::"a", Action::"b"], resource);',
  ],
  [
    "escaping quote and backslash",
    { principal_scope_type: "eq", principal_entity_type: "User", principal_entity_id: 'a"b\\c' },
    'permit(principal == User::"a\\"b\\\\c", action, resource);',
  ],
  ["escaped action id", { action_scope_type: "eq", action_ids: ['say "hi"'] }, 'permit(principal, action == Action::"say \\"hi\\"", resource);'],
  [
    "conditions verbatim",
    { conditions: "when { context.duration_seconds <= 14400 }\nunless { context has ticket }" },
    "permit(principal, action, resource) when { context.duration_seconds <= 14400 }\nunless { context has ticket };",
  ],
  ["empty conditions", { conditions: "  " }, "permit(principal, action, resource);"],
  [
    "conditions ending in a comment",
    { conditions: "when { true } // always" },
    "permit(principal, action, resource) when { true } // always\n;",
  ],
];

describe("assembleRule", () => {
  it.each(table)("%s", (_name, over, expected) => {
    const text = assembleRule(fields(over));
    expect(text).toBe(expected);
    // Every assembled rule is one valid statement that decomposes back to the same fields.
    const back = decomposeRule(text);
    expect(back.ok).toBe(true);
    if (back.ok) expect(assembleRule(back.fields)).toSatisfy((t: string) => sameRule(t, text));
  });

  it("refuses incomplete fields", () => {
    expect(() => assembleRule(fields({ principal_scope_type: "eq", principal_entity_type: "User" }))).toThrow(RuleFieldsError);
    expect(() => assembleRule(fields({ resource_scope_type: "is" }))).toThrow(RuleFieldsError);
    expect(() => assembleRule(fields({ action_scope_type: "eq", action_ids: ["a", "b"] }))).toThrow(/exactly one/);
    expect(() =>
      assembleRule(fields({ principal_scope_type: "is_in", principal_entity_type: "User", principal_entity_id: "eng" })),
    ).toThrow(/whole entity literal/);
  });
});

describe("entity literals", () => {
  it.each([
    ["User", "alice", 'User::"alice"'],
    ["A::B", "x", 'A::B::"x"'],
    ["User", 'q"uo\\te', 'User::"q\\"uo\\\\te"'],
    ["User", "é ü 🙂", 'User::"é ü 🙂"'],
    ["User", "", 'User::""'],
  ])("%s %s", (type, id, text) => {
    expect(entityLiteral(type, id)).toBe(text);
    expect(parseEntityLiteral(text)).toEqual({ type, id });
  });

  it("parses Cedar escapes and spacing", () => {
    expect(parseEntityLiteral('User::"\\u{e9}\\n\\t\\x41\\\'"')).toEqual({ type: "User", id: "é\n\tA'" });
    expect(parseEntityLiteral('Ns :: User :: "a" // note')).toEqual({ type: "Ns::User", id: "a" });
  });

  it.each(['User::alice', '"alice"', 'User::"a" extra', 'User:"a"', '::"a"', 'User::"\\q"', 'User::"a\\*"', 'User::"open'])(
    "rejects %s",
    (text) => expect(parseEntityLiteral(text)).toBeUndefined(),
  );
});
