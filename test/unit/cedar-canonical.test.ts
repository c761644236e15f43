import { describe, expect, it } from "vitest";
import { bucketKey, canonicalRule, sameRule, tokenKey } from "../../src/cedar/canonical.js";
import { stableJson } from "../../src/json/stable-json.js";
import { engineCallCounts, resetEngineCallCounts } from "../../src/cedar/engine.js";

const base = 'permit(principal == User::"alice", action in [Action::"read", Action::"write"], resource) when { resource.owner == principal };';

describe("sameRule", () => {
  it.each([
    ["identical", base],
    ["re-formatted", 'permit (\n  principal == User::"alice",\n  action in [Action::"read", Action::"write"],\n  resource\n)\nwhen { resource.owner == principal };'],
    ["comments", '// who\npermit(principal == User::"alice", // me\n action in [Action::"read", Action::"write"], resource) when { resource.owner == principal }; // end'],
    ["redundant parentheses", 'permit(principal == User::"alice", action in [Action::"read", Action::"write"], resource) when { ((resource.owner) == principal) };'],
    ["index instead of dot", 'permit(principal == User::"alice", action in [Action::"read", Action::"write"], resource) when { resource["owner"] == principal };'],
    ["string escapes", 'permit(principal == User::"\\u{61}lice", action in [Action::"read", Action::"write"], resource) when { resource.owner == principal };'],
    ["annotation added", `@id("x") ${base}`],
    ["annotations and comments", `// owner rule\n@id("owner")\n@team("a")\n${base} // kept`],
  ])("equal: %s", (_n, other) => {
    expect(sameRule(base, other)).toBe(true);
    expect(bucketKey(base)).toBe(bucketKey(other));
  });

  it.each([
    ["different id", base.replace('"alice"', '"bob"')],
    ["different effect", base.replace("permit", "forbid")],
    ["action order", base.replace('[Action::"read", Action::"write"]', '[Action::"write", Action::"read"]')],
    ["eq vs in", base.replace("principal ==", "principal in")],
    ["condition kind", base.replace("when", "unless")],
    ["extra condition", base.replace(";", " when { true };")],
  ])("different: %s", (_n, other) => {
    expect(sameRule(base, other)).toBe(false);
  });

  it("leaves annotations out entirely: the service stores rules as fields and drops them", () => {
    const a = '@id("x") @team("a") permit(principal, action, resource);';
    expect(sameRule(a, '@team("a")\n@id("x")\npermit(principal, action, resource);')).toBe(true);
    expect(sameRule(a, '@id("x") @team("b") permit(principal, action, resource);')).toBe(true);
    expect(sameRule(a, "permit(principal, action, resource);")).toBe(true);
    expect(sameRule("@flag permit(principal, action, resource);", '@flag("") permit(principal, action, resource);')).toBe(true);
    expect(canonicalRule(a)).toBe(canonicalRule("permit(principal, action, resource);"));
    expect(tokenKey(a)).toBe(tokenKey("permit(principal, action, resource);"));
    expect(bucketKey(a)).toBe(bucketKey("permit(principal, action, resource);"));
    expect(sameRule(a, '@id("x") forbid(principal, action, resource);')).toBe(false);
  });

  it("reads `action in A` as `action in [A]`, as a service storing the action list as a field answers it", () => {
    expect(sameRule('permit(principal, action in Action::"read", resource);', 'permit(principal, action in [Action::"read"], resource);')).toBe(true);
    expect(sameRule('permit(principal, action in Action::"read", resource);', 'permit(principal, action == Action::"read", resource);')).toBe(false);
  });

  it("answers from tokens alone when only whitespace and comments differ", () => {
    resetEngineCallCounts();
    expect(sameRule("permit(principal,action,resource);", " permit ( principal , action , resource ) ; // c")).toBe(true);
    expect(engineCallCounts().policyToJson ?? 0).toBe(0);
  });

  it("never throws on text that does not parse", () => {
    expect(sameRule("permit(", "permit(")).toBe(true);
    expect(sameRule("permit(", "permit (")).toBe(true);
    expect(sameRule("permit(", "forbid(")).toBe(false);
    expect(canonicalRule("nonsense")).toMatch(/^!unparsable/);
  });

  it("memoizes the canonical form by text", () => {
    const text = 'permit(principal == User::"memo", action, resource);';
    resetEngineCallCounts();
    canonicalRule(text);
    canonicalRule(text);
    expect(engineCallCounts().policyToJson).toBe(1);
  });

  it("bucket keys ignore order, so equal rules always share one", () => {
    const a = 'permit(principal, action, resource) when { context.r == {a: 1, "b": 2} };';
    const b = 'permit(principal, action, resource) when { context.r == {b: 2, a: 001} };';
    expect(sameRule(a, b)).toBe(true);
    expect(bucketKey(a)).toBe(bucketKey(b));
    expect(tokenKey(a)).not.toBe(tokenKey(b));
  });
});

describe("stableJson", () => {
  it("sorts keys at every level", () => {
    expect(stableJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: undefined } })).toBe('{"a":{"d":[2,{"y":null,"z":1}]},"b":1}');
  });
});
