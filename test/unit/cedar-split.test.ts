import { describe, expect, it } from "vitest";
import { lex } from "../../src/cedar/lexer.js";
import { splitStatements } from "../../src/cedar/split.js";

describe("splitStatements", () => {
  it("splits on `;` but not inside strings or comments, with UTF-16 offsets", () => {
    const file = [
      "// header; not a statement",
      '@id("a;b") permit(principal, action, resource) when { context.s == "x; // y" }; // tail; comment',
      "",
      "/* not a Cedar comment */",
      'forbid(principal == User::"日本🙂", action, resource)',
      '  unless { context.q like "\\";*" };',
      "// trailing comment only",
    ].join("\n");
    const s = splitStatements(file);
    expect(s.map((x) => x.text)).toEqual([
      '@id("a;b") permit(principal, action, resource) when { context.s == "x; // y" };',
      '/* not a Cedar comment */\nforbid(principal == User::"日本🙂", action, resource)\n  unless { context.q like "\\";*" };',
    ]);
    for (const x of s) expect(file.slice(x.start, x.end)).toBe(x.text);
    expect(s[1]?.start).toBe(file.indexOf("/*"));
  });

  it("keeps text after the last `;` as a statement so the parser can point at it", () => {
    const file = "permit(principal, action, resource);\nforbid(principal, action, resource) // no semicolon\n";
    const s = splitStatements(file);
    expect(s).toHaveLength(2);
    expect(s[1]?.text).toBe("forbid(principal, action, resource)");
  });

  it("returns nothing for an empty or comment-only file", () => {
    expect(splitStatements("")).toEqual([]);
    expect(splitStatements("// a\n  // b\n")).toEqual([]);
  });

  it("does not end a statement inside an unterminated string", () => {
    const s = splitStatements('permit(principal, action, resource) when { "open; };\n');
    expect(s).toHaveLength(1);
  });
});

describe("lex", () => {
  it("tokenises strings with escapes, multi-char operators and comments", () => {
    const tokens = lex('a::"x\\"y" == 12 && b != c // hi\n<=');
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ["ident", "a"],
      ["punct", "::"],
      ["string", '"x\\"y"'],
      ["punct", "=="],
      ["number", "12"],
      ["punct", "&&"],
      ["ident", "b"],
      ["punct", "!="],
      ["ident", "c"],
      ["comment", "// hi"],
      ["punct", "<="],
    ]);
  });
});
