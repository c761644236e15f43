/**
 * The engine-free meaning key (src/cedar/rule-key.ts) is only an accelerator, so it must be sound: two texts with
 * the same key must have the same engine JSON form (annotations left out). Checked differentially against the
 * engine over a corpus (the Cedar example policies, the quickstart, generated rules, hand-made tricky texts) and
 * the service's re-printed form of each; and on pairs that differ only in grouping, precedence or escapes, which
 * must get different keys. Recall: the re-printed form of a rule gets the rule's key.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assembleRule } from "../../src/cedar/assemble.js";
import { canonicalRule, meaningKey, sameRule } from "../../src/cedar/canonical.js";
import { decomposeStored } from "../../src/cedar/decompose.js";
import { engineCallCounts, resetEngineCallCounts } from "../../src/cedar/engine.js";
import { ruleKey } from "../../src/cedar/rule-key.js";
import { splitStatements } from "../../src/cedar/split.js";
import { ROOT } from "../helpers/cli.js";
import { rng } from "../../bench/generate.js";

const examples = join(ROOT, "test/fixtures/cedar-examples");
const files = [
  ...readdirSync(examples, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(examples, d.name, "policies.cedar")),
  join(ROOT, "examples/quickstart/cedar/break-glass.cedar"),
  join(ROOT, "examples/cedar-github/cedar/policies.cedar"),
];

const TRICKY = [
  'permit(principal, action, resource) when { context.a || context.b && context.c };',
  'permit(principal, action, resource) when { (context.a || context.b) && context.c };',
  "permit(principal, action, resource) when { 1 - 2 - 3 == 0 };",
  "permit(principal, action, resource) when { 1 - (2 - 3) == 0 };",
  "permit(principal, action, resource) when { -context.n * 2 < 3 };",
  "permit(principal, action, resource) when { -(context.n * 2) < 3 };",
  "permit(principal, action, resource) when { !context.a == context.b };",
  "permit(principal, action, resource) when { !(context.a == context.b) };",
  'permit(principal, action, resource) when { context.s like "a\\*" };',
  'permit(principal, action, resource) when { context.s like "a*" };',
  'permit(principal, action, resource) when { context.s like "a\\\\*" };',
  'permit(principal, action, resource) when { context["s"] like "a\\u{2a}" };',
  "permit(principal, action, resource) when { if context.a then context.b else context.c && context.d };",
  "permit(principal, action, resource) when { (if context.a then context.b else context.c) && context.d };",
  'permit(principal, action, resource) when { context.r == {a: 1, "b": [2, 3]} };',
  'permit(principal, action, resource) when { context.r == {b: [2, 3], a: 001} };',
  'permit(principal, action, resource) when { context.r == {a: 1, b: [3, 2]} };',
  'permit(principal is User in Group::"a", action in Action::"x", resource) when { principal is User in resource };',
  'permit(principal is User in Group::"a", action in [Action::"x"], resource) when { (principal is User) in resource };',
  'permit(principal, action, resource) when { ip("10.0.0.1").isInRange(ip("10.0.0.0/8")) && decimal("1.0").lessThan(decimal("2.0")) };',
  'permit(principal, action, resource) when { principal has "x y" && principal["x y"].contains(1) };',
  "permit(principal, action, resource) when { context has a } unless { context has b };",
  "permit(principal, action, resource) unless { context has b } when { context has a };",
  "permit(principal, action, resource) when { context has a && context has b };",
  "permit(principal, action, resource) when { context has a } when { context has b };",
  'forbid(principal == User::"a\\"b", action == Action::"x::y", resource == NS::Doc::"d") when { resource in NS::Folder::"f" };',
  '@id("x") @flag permit(principal, action, resource);',
  "permit(principal, action, resource) when { 1 + 2 * 3 == 7 };",
  "permit(principal, action, resource) when { (1 + 2) * 3 == 7 };",
  "permit(principal, action, resource) when { context.a in [1, 2] && context.a != 3 };",
];

const corpus: string[] = [...files.flatMap((f) => splitStatements(readFileSync(f, "utf8")).map((s) => s.text)), ...TRICKY];

/** What a service storing fields answers for the text (the emulator's way): decomposed, conditions re-printed, assembled. */
function printed(text: string): string | undefined {
  const d = decomposeStored(text);
  return d.ok ? assembleRule(d.fields) : undefined;
}

describe("ruleKey: sound against the engine", () => {
  const texts = [...new Set([...corpus, ...corpus.flatMap((t) => printed(t) ?? [])])];

  it("the corpus is large enough to mean something, and the parser reads nearly all of it", () => {
    expect(texts.length).toBeGreaterThan(80);
    const unread = texts.filter((t) => ruleKey(t) === undefined);
    expect(unread.length, unread.join("\n")).toBeLessThanOrEqual(texts.length / 20);
  });

  it("equal keys ⇒ equal engine JSON forms (annotations left out), over every pair", () => {
    const byKey = new Map<string, string[]>();
    for (const t of texts) {
      const k = ruleKey(t);
      if (k !== undefined) byKey.set(k, [...(byKey.get(k) ?? []), t]);
    }
    for (const group of byKey.values()) {
      const forms = new Set(group.map((t) => canonicalRule(t)));
      expect(forms.size, group.join("\n")).toBe(1);
      expect([...forms][0]).not.toMatch(/^!unparsable/);
    }
  });

  it("different engine JSON forms ⇒ different keys (the tricky pairs)", () => {
    for (let i = 0; i < TRICKY.length; i++) {
      for (let j = i + 1; j < TRICKY.length; j++) {
        const [a, b] = [TRICKY[i]!, TRICKY[j]!];
        if (canonicalRule(a) !== canonicalRule(b)) expect(ruleKey(a), `${a}\n${b}`).not.toBe(ruleKey(b));
      }
    }
  });

  it("recall: the service's re-printed text gets the rule's own key", () => {
    const missed = corpus.filter((t) => {
      const p = printed(t);
      return p !== undefined && ruleKey(t) !== undefined && ruleKey(p) !== ruleKey(t);
    });
    expect(missed).toEqual([]);
  });

  it("refuses what it is unsure of (the engine then decides): attribute paths in `has`, chained relations, templates", () => {
    for (const t of [
      "permit(principal, action, resource) when { context has a.b };",
      "permit(principal, action, resource) when { 1 < 2 < 3 };",
      "permit(principal == ?principal, action, resource);",
      "permit(principal, action, resource) when { context.s == \"\\*\" };",
      "permit(principal, action, resource);  permit(principal, action, resource);",
      "permit(principal, action, resource)",
    ]) {
      expect(ruleKey(t), t).toBeUndefined();
      expect(meaningKey(t)).toMatch(/^!unread/);
    }
  });

  it("sameRule answers re-printed rules without the engine", () => {
    const pairs = corpus.flatMap((t) => {
      const p = printed(t);
      return p !== undefined && ruleKey(t) !== undefined ? [[t, p] as const] : [];
    });
    expect(pairs.length).toBeGreaterThan(50);
    resetEngineCallCounts();
    for (const [a, b] of pairs) expect(sameRule(a, b), `${a}\n${b}`).toBe(true);
    expect(engineCallCounts().policyToJson ?? 0).toBe(0);
  });
});

/**
 * Random expressions, each printed twice: fully parenthesized, and with as few parentheses as precedence allows
 * (here and there one more). The engine judges which texts mean the same; the key must never say "same" when the
 * engine does not.
 */
describe("ruleKey: random expressions against the engine", () => {
  type E = { op: string; kids: E[]; atom?: string };
  const PREC: Record<string, number> = { "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, in: 3, "+": 4, "-": 4, "*": 5 };
  function gen(r: () => number, depth: number): E {
    const pick = r();
    if (depth <= 0 || pick < 0.25) {
      const atoms = ["1", "2", "007", "-3", "true", "false", '"x"', '"a\\"', "context.a", 'context["b c"]', "principal.n", 'User::"u"', "[1, 2]", '{k: 1, "j": 2}'];
      return { op: "atom", kids: [], atom: atoms[Math.floor(r() * atoms.length)]! };
    }
    if (pick < 0.35) return { op: r() < 0.5 ? "!" : "-", kids: [gen(r, depth - 1)] };
    if (pick < 0.42) return { op: "if", kids: [gen(r, depth - 1), gen(r, depth - 1), gen(r, depth - 1)] };
    if (pick < 0.48) return { op: "has", kids: [gen(r, depth - 1)], atom: r() < 0.5 ? "a" : '"a"' };
    if (pick < 0.52) return { op: "like", kids: [gen(r, depth - 1)], atom: ['"a*"', '"a\\*"', '"\\*"'][Math.floor(r() * 3)]! };
    const ops = Object.keys(PREC);
    return { op: ops[Math.floor(r() * ops.length)]!, kids: [gen(r, depth - 1), gen(r, depth - 1)] };
  }
  const prec = (e: E): number => (e.op in PREC ? PREC[e.op]! : e.op === "if" ? 0 : e.op === "has" || e.op === "like" ? 3 : 9);
  function print(e: E, full: boolean, r: () => number): string {
    const wrap = (child: E, need: boolean): string => {
      const text = print(child, full, r);
      return full || need || r() < 0.1 ? `(${text})` : text;
    };
    switch (e.op) {
      case "atom":
        return e.atom!;
      case "!":
      case "-":
        return `${e.op}${wrap(e.kids[0]!, prec(e.kids[0]!) < 9 || e.kids[0]!.atom?.startsWith("-") === true)}`;
      case "if":
        return `if ${print(e.kids[0]!, full, r)} then ${print(e.kids[1]!, full, r)} else ${print(e.kids[2]!, full, r)}`;
      case "has":
        return `${wrap(e.kids[0]!, prec(e.kids[0]!) <= 4)} has ${e.atom}`;
      case "like":
        return `${wrap(e.kids[0]!, prec(e.kids[0]!) <= 4)} like ${e.atom}`;
      default: {
        const p = prec(e);
        const [a, b] = e.kids as [E, E];
        const relation = p === 3;
        return `${wrap(a, prec(a) < p || (relation && prec(a) === 3))} ${e.op} ${wrap(b, prec(b) <= p)}`;
      }
    }
  }

  it("400 expressions, two spellings each: equal keys only for equal engine forms; the spellings of one tree share a key", () => {
    // RULE_KEY_FUZZ=<n>,<seed> widens the search locally.
    const [n, seed] = (process.env["RULE_KEY_FUZZ"] ?? "400,20240601").split(",").map(Number) as [number, number];
    const r = rng(seed);
    const texts: string[] = [];
    const spellings: [string, string][] = [];
    for (let i = 0; i < n; i++) {
      const e = gen(r, 4);
      const full = `permit(principal, action, resource) when { ${print(e, true, r)} };`;
      const lean = `permit(principal, action, resource) when { ${print(e, false, r)} };`;
      texts.push(full, lean);
      spellings.push([full, lean]);
    }
    const parsed = texts.filter((t) => !canonicalRule(t).startsWith("!unparsable"));
    expect(parsed.length).toBeGreaterThan(400);
    const byKey = new Map<string, Set<string>>();
    for (const t of parsed) {
      const k = ruleKey(t);
      if (k === undefined) continue;
      const forms = byKey.get(k) ?? new Set<string>();
      forms.add(canonicalRule(t));
      byKey.set(k, forms);
    }
    for (const [k, forms] of byKey) expect(forms.size, k).toBe(1);
    // Recall: both spellings of one tree, when the engine reads them alike, share a key.
    const same = spellings.filter(([a, b]) => !canonicalRule(a).startsWith("!") && canonicalRule(a) === canonicalRule(b));
    expect(same.length).toBeGreaterThan(200);
    for (const [a, b] of same) expect(ruleKey(a), `${a}\n${b}`).toBe(ruleKey(b));
  });
});
