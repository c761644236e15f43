import { describe, expect, it } from "vitest";
import { findDuplicateRules, parseRules, validateRules } from "../../src/cedar/check-rules.js";
import { engineCallCounts, resetEngineCallCounts } from "../../src/cedar/engine.js";
import { utf8ToUtf16Offset } from "../../src/cedar/offsets.js";

const schema = `
entity Group;
entity User in [Group] { level: Long };
entity Doc { owner: User };
action read, write appliesTo { principal: User, resource: Doc, context: { ticket?: String } };
`;

describe("utf8ToUtf16Offset", () => {
  it.each([
    ["abc", 2, 2],
    ["é!", 2, 1],
    ["日本!", 6, 2],
    ["🙂!", 4, 2],
    ["a🙂é日x", 1 + 4 + 2 + 3, 5],
    ["short", 99, 5],
  ])("%s @%i bytes → %i", (text, bytes, chars) => expect(utf8ToUtf16Offset(text, bytes)).toBe(chars));
});

describe("parseRules", () => {
  it("reports each broken rule by key with UTF-16 offsets into its own text", () => {
    const bad1 = 'permit(principal == User::"Zoë 🙂", action, resource) when { context.x == };';
    const bad2 = "// 日本語\npermit(principal, action, resource); forbid(principal, action, resource);";
    const problems = parseRules([
      { key: "ok", text: "permit(principal, action, resource);" },
      { key: "bad1", text: bad1 },
      { key: "bad2", text: bad2 },
    ]);
    const p1 = problems.find((p) => p.key === "bad1");
    const p2 = problems.find((p) => p.key === "bad2");
    expect(problems.every((p) => p.key !== "ok")).toBe(true);
    expect(p1?.message).toMatch(/^unexpected token `}`/);
    expect(p1?.start).toBe(bad1.lastIndexOf("}"));
    expect(bad1.slice(p1?.start, p1?.end)).toBe("}");
    expect(bad2.slice(p2?.start, p2?.end)).toBe("forbid");
  });

  it("returns nothing when all parse", () => {
    expect(parseRules([{ key: "a", text: "permit(principal, action, resource);" }])).toEqual([]);
    expect(parseRules([])).toEqual([]);
  });
});

describe("validateRules", () => {
  it("reports errors and warnings per rule with offsets", () => {
    const text = '// ünïcödé\npermit(principal is User, action == Action::"read", resource) when { principal.levle > 1 };';
    const report = validateRules(
      [
        { key: "good", text: 'permit(principal, action == Action::"read", resource) when { resource.owner == principal };' },
        { key: "typo", text },
        { key: "impossible", text: 'permit(principal is Doc, action == Action::"read", resource);' },
      ],
      schema,
    );
    expect(report.schema).toEqual([]);
    const typo = report.rules.find((r) => r.key === "typo");
    expect(typo).toMatchObject({ severity: "error", message: expect.stringMatching(/^attribute `levle`/) });
    expect(text.slice(typo?.start, typo?.end)).toBe("principal.levle");
    expect(typo?.help).toMatch(/level/);
    expect(report.rules.some((r) => r.key === "impossible" && r.severity === "warning")).toBe(true);
    expect(report.rules.some((r) => r.key === "good")).toBe(false);
  });

  it("reports schema errors with offsets into the schema text", () => {
    const bad = "// 日本\nentity User;\nactio read;";
    const report = validateRules([{ key: "a", text: "permit(principal, action, resource);" }], bad);
    expect(report.schema).toHaveLength(1);
    const [p] = report.schema;
    expect(bad.slice(p?.start, p?.end)).toBe("actio");
    expect(p?.message).toMatch(/^error parsing schema/);
  });

  it("reports rules that do not parse (so a caller with a schema may skip parseRules)", () => {
    const text = "permit(principal, action, résource);";
    const report = validateRules([{ key: "ok", text: "permit(principal, action, resource);" }, { key: "bad", text }], schema);
    expect(report.schema).toEqual([]);
    expect(report.rules).toHaveLength(1);
    expect(report.rules[0]).toMatchObject({ key: "bad", severity: "error" });
    expect(report.rules[0]?.start).toBe(text.indexOf("é"));
  });

  it("accepts a JSON schema", () => {
    const json = JSON.stringify({ "": { entityTypes: { User: {} }, actions: { read: { appliesTo: { principalTypes: ["User"], resourceTypes: ["User"] } } } } });
    const report = validateRules([{ key: "a", text: 'permit(principal, action == Action::"read", resource);' }], json);
    expect(report).toEqual({ rules: [], schema: [] });
  });
});

describe("findDuplicateRules", () => {
  it("groups rules of equal meaning", () => {
    const groups = findDuplicateRules([
      { key: "1", text: 'permit(principal == User::"a", action, resource);' },
      { key: "2", text: 'forbid(principal == User::"a", action, resource);' },
      { key: "3", text: 'permit (principal == User::"a", action, resource); // again' },
      { key: "4", text: 'permit(principal, action, resource) when { (context["a"]) };' },
      { key: "5", text: "permit(principal, action, resource) when { context.a };" },
      { key: "6", text: 'permit(principal == User::"\\u{61}", action, resource);' },
    ]);
    expect(groups).toEqual([
      ["1", "3", "6"],
      ["4", "5"],
    ]);
  });

  it("two rules that differ only in annotations are duplicates (the service drops annotations)", () => {
    const groups = findDuplicateRules([
      { key: "1", text: '@id("a") permit(principal == User::"a", action, resource);' },
      { key: "2", text: '@id("b")\n@team("x") permit(principal == User::"a", action, resource);' },
      { key: "3", text: '@id("c") forbid(principal == User::"a", action, resource);' },
    ]);
    expect(groups).toEqual([["1", "2"]]);
  });
});

describe("10,000 rules", () => {
  const rules = Array.from({ length: 10_000 }, (_, i) => ({
    key: `cedar/policies/p/rules/${i + 1}`,
    text:
      i % 2 === 0
        ? `permit(principal == User::"user-${i}", action == Action::"read", resource) when { resource.owner == principal };`
        : `forbid(principal in Group::"g${i}", action in [Action::"read", Action::"write"], resource is Doc) unless { context has ticket };`,
  }));

  it("parse in one engine call, validate in one, duplicates in none", () => {
    resetEngineCallCounts();
    const t0 = performance.now();
    const parsed = parseRules(rules);
    const t1 = performance.now();
    const report = validateRules(rules, schema);
    const t2 = performance.now();
    const dups = findDuplicateRules(rules);
    const t3 = performance.now();
    console.log(
      `10,000 rules: parse ${(t1 - t0).toFixed(0)} ms, validate ${(t2 - t1).toFixed(0)} ms, duplicates ${(t3 - t2).toFixed(0)} ms`,
    );
    expect(parsed).toEqual([]);
    expect(report).toEqual({ rules: [], schema: [] });
    expect(dups).toEqual([]);
    expect(engineCallCounts()).toEqual({ checkParsePolicySet: 1, validate: 1 });
  });
});
