/**
 * Addresses (docs/file-format.md#addresses-and-patterns): format/parse round trips for every kind, escapes (`\/`,
 * `\*`, `\\`), patterns (`*` within a segment, `**` across segments, a rule follows its policy) and bad patterns
 * rejected with a reason.
 */
import { describe, expect, it } from "vitest";
import {
  AddressSyntaxError,
  compilePattern,
  escapeSegment,
  formatAddress,
  matchAny,
  matchPattern,
  parseAddress,
  parseAddressOrThrow,
  type Address,
} from "../../src/address/address.js";

/** Names that need care: separators, wildcards, escapes, spaces, unicode (incl. astral), look-alike keywords. */
const NAMES = [
  "Billing Manager",
  "a/b",
  "a*b",
  "a\\b",
  "\\/*",
  "trailing\\",
  "/leading slash",
  "**",
  "*",
  "  spaced  out  ",
  "Zürich Büro",
  "日本語 ロール",
  "emoji 🔥 role",
  "rules",
  "x/rules/1",
  "organization/roles/Owner",
  "50% off: a:b",
];

function addressesFor(name: string): Address[] {
  return [
    { kind: "org-policy", name },
    { kind: "org-role", name },
    { kind: "project-policy", project: name, name },
    { kind: "project-policy", project: "Support Bot", name },
    { kind: "project-role", project: name, name: "Analyst" },
    { kind: "project-role", project: "Support Bot", name },
    { kind: "cedar-policy", name },
    { kind: "cedar-rule", policy: name, ordinal: 1 },
    { kind: "cedar-rule", policy: name, ordinal: 12 },
  ];
}

const ROUND_TRIPS = NAMES.flatMap((name) => addressesFor(name).map((a) => [formatAddress(a), a] as const));

describe("formatAddress / parseAddress", () => {
  it.each(ROUND_TRIPS)("%s round-trips", (written, a) => {
    expect(parseAddress(written)).toEqual(a);
    expect(formatAddress(parseAddressOrThrow(written))).toBe(written);
  });

  it.each([
    [{ kind: "org-policy", name: "Manage billing" }, "organization/policies/Manage billing"],
    [{ kind: "org-role", name: "a/b" }, "organization/roles/a\\/b"],
    [{ kind: "project-policy", project: "Support/Bot", name: "View traces" }, "projects/Support\\/Bot/policies/View traces"],
    [{ kind: "project-role", project: "Support Bot", name: "Analyst*" }, "projects/Support Bot/roles/Analyst\\*"],
    [{ kind: "cedar-policy", name: "back\\slash" }, "cedar/policies/back\\\\slash"],
    [{ kind: "cedar-rule", policy: "production-access", ordinal: 3 }, "cedar/policies/production-access/rules/3"],
    [{ kind: "cedar-rule", policy: "Zürich/🔥", ordinal: 1 }, "cedar/policies/Zürich\\/🔥/rules/1"],
  ] as [Address, string][])("formats %j as %s", (a, written) => {
    expect(formatAddress(a)).toBe(written);
  });

  it("escapes exactly `/`, `*` and `\\`", () => {
    expect(escapeSegment("a/b*c\\d e:f")).toBe("a\\/b\\*c\\\\d e:f");
    expect(escapeSegment("plain name ü")).toBe("plain name ü");
  });

  it.each([
    ["organization/policies", "too few segments"],
    ["organization/teams/x", "unknown collection"],
    ["organisation/roles/x", "unknown root"],
    ["projects/p/roles", "project without a name"],
    ["projects/p/groups/x", "unknown project collection"],
    ["cedar/policies/p/rules/0", "ordinals start at 1"],
    ["cedar/policies/p/rules/01", "no leading zero"],
    ["cedar/policies/p/rules/x", "ordinal not a number"],
    ["cedar/policies/p/rules", "rules without an ordinal"],
    ["organization/roles/a/b", "an unescaped `/` in a name"],
    ["organization/roles/a*", "an unescaped `*` in an address"],
    ["organization/roles/", "empty name"],
    ["organization//x", "empty segment"],
    ["organization/roles/a\\q", "bad escape"],
    ["organization/roles/a\\", "trailing backslash"],
    ["", "empty"],
  ])("%s is not an address (%s)", (written) => {
    expect(parseAddress(written)).toBeUndefined();
    expect(() => parseAddressOrThrow(written)).toThrow(AddressSyntaxError);
  });

  it("says why an address does not parse", () => {
    expect(() => parseAddressOrThrow("organization/roles/a\\q")).toThrow(/`\\q` is not an escape/);
    expect(() => parseAddressOrThrow("organization/roles/a*")).toThrow(/no unescaped `\*`/);
    expect(() => parseAddressOrThrow("organization/teams/x")).toThrow(/expected organization\/\(policies\|roles\)\/<name>/);
  });
});

const org = (name: string): Address => ({ kind: "org-role", name });
const orgPolicy = (name: string): Address => ({ kind: "org-policy", name });
const projRole = (project: string, name: string): Address => ({ kind: "project-role", project, name });
const projPolicy = (project: string, name: string): Address => ({ kind: "project-policy", project, name });
const cedarPolicy = (name: string): Address => ({ kind: "cedar-policy", name });
const rule = (policy: string, ordinal: number): Address => ({ kind: "cedar-rule", policy, ordinal });

/** [pattern, address, matches?, why] */
const MATCHES: [string, Address, boolean, string][] = [
  // exact
  ["organization/roles/Billing Manager", org("Billing Manager"), true, "exact name"],
  ["organization/roles/Billing Manager", org("billing manager"), false, "names are case-sensitive"],
  ["organization/roles/Billing Manager", orgPolicy("Billing Manager"), false, "roles are not policies"],
  ["organization/roles/Billing", org("Billing Manager"), false, "no prefix match without `*`"],
  // `*` within a segment
  ["organization/roles/Legacy *", org("Legacy Admin"), true, "`*` as a suffix"],
  ["organization/roles/Legacy *", org("Legacy "), true, "`*` matches the empty string"],
  ["organization/roles/Legacy *", org("Legacy"), false, "the literal space is still required"],
  ["organization/roles/Legacy *", org("Not Legacy x"), false, "anchored at the start"],
  ["organization/roles/*", org("a/b"), true, "`*` matches a name holding a `/` (it is one segment)"],
  ["organization/*/Auditor", org("Auditor"), true, "`*` as a whole segment"],
  ["organization/*/Auditor", orgPolicy("Auditor"), true, "`*` as a whole segment (policies)"],
  ["projects/*/roles/Analyst", projRole("Support Bot", "Analyst"), true, "any project"],
  ["projects/*/roles/Analyst", projPolicy("Support Bot", "Analyst"), false, "roles only"],
  ["cedar/policies/team-a-*", cedarPolicy("team-a-prod"), true, "prefix"],
  ["cedar/policies/team-a-*", cedarPolicy("team-b-prod"), false, "prefix differs"],
  ["cedar/policies/*-prod", cedarPolicy("team-a-prod"), true, "suffix"],
  ["cedar/policies/*-*-prod", cedarPolicy("team-a-prod"), true, "two stars"],
  ["cedar/policies/*-*-prod", cedarPolicy("team-prod"), false, "two stars need two dashes"],
  ["cedar/policies/a*b*c", cedarPolicy("abc"), true, "stars match empty strings"],
  ["cedar/policies/a*b*c", cedarPolicy("acb"), false, "order matters"],
  ["cedar/policies/*ab*ab", cedarPolicy("xabab"), true, "overlapping chunks"],
  ["cedar/policies/*ab*ab", cedarPolicy("xab"), false, "chunks may not overlap"],
  // `**` across segments
  ["**", org("x"), true, "`**` matches everything (org)"],
  ["**", projPolicy("p", "x"), true, "`**` matches everything (project)"],
  ["**", rule("p", 2), true, "`**` matches everything (rule)"],
  ["projects/**", projRole("Support Bot", "Analyst"), true, "every project object"],
  ["projects/**", org("Analyst"), false, "not the organization"],
  ["projects/Support Bot/**", projPolicy("Support Bot", "View traces"), true, "one project's objects"],
  ["projects/Support Bot/**", projPolicy("Support", "View traces"), false, "another project"],
  ["**/roles/*", org("Auditor"), true, "`**/roles/*` — organization roles"],
  ["**/roles/*", projRole("p", "Analyst"), true, "`**/roles/*` — project roles"],
  ["**/roles/*", projPolicy("p", "Analyst"), false, "`**/roles/*` — not policies"],
  ["**/Analyst", projRole("p", "Analyst"), true, "`**` then a name"],
  ["**/Analyst", projRole("p", "Analyst 2"), false, "`**` then a name: exact"],
  ["cedar/**", rule("p", 1), true, "cedar/** covers rules"],
  ["organization/**/x", org("x"), true, "`**` matches one segment"],
  ["organization/roles/**", org("x"), true, "`**` at the end matches one segment"],
  ["organization/roles/x/**", org("x"), true, "`**` matches zero segments"],
  // escapes
  ["organization/roles/a\\/b", org("a/b"), true, "escaped `/` in a name"],
  ["organization/roles/a\\/b", org("a\\/b"), false, "the escape is not literal"],
  ["organization/roles/a\\*", org("a*"), true, "escaped `*` is a literal star"],
  ["organization/roles/a\\*", org("ab"), false, "escaped `*` is not a wildcard"],
  ["organization/roles/a\\\\*", org("a\\xyz"), true, "escaped `\\` then a wildcard"],
  ["organization/roles/a\\\\*", org("axyz"), false, "the backslash is required"],
  ["organization/roles/\\*\\*", org("**"), true, "a role named `**`"],
  ["organization/roles/\\*\\*", org("x"), false, "escaped `**` is not a wildcard"],
  // unicode, spaces
  ["projects/Zürich Büro/roles/*", projRole("Zürich Büro", "Analyst"), true, "unicode project"],
  ["projects/Zurich Büro/roles/*", projRole("Zürich Büro", "Analyst"), false, "no unicode folding"],
  ["organization/roles/🔥*", org("🔥 on call"), true, "astral characters"],
  ["organization/roles/ x ", org(" x "), true, "spaces are significant"],
  ["organization/roles/ x ", org("x"), false, "spaces are not trimmed"],
  // a rule follows its policy
  ["cedar/policies/production-access", rule("production-access", 3), true, "a policy's pattern names its rules"],
  ["cedar/policies/team-a-*", rule("team-a-prod", 1), true, "a wildcard policy pattern names its rules"],
  ["cedar/policies/team-a-*", rule("team-b-prod", 1), false, "not another policy's rules"],
  ["cedar/policies/p/rules/2", rule("p", 2), true, "one rule by ordinal"],
  ["cedar/policies/p/rules/2", rule("p", 3), false, "not another ordinal"],
  ["cedar/policies/p/rules/2", cedarPolicy("p"), false, "a rule pattern does not name its policy"],
  ["cedar/policies/p/rules/*", rule("p", 7), true, "every rule of p"],
  ["cedar/policies/p/rules/*", cedarPolicy("p"), false, "rules/* does not name the policy"],
  ["cedar/policies/p", rule("q", 1), false, "another policy's rule"],
  ["cedar/policies/x\\/rules\\/1", cedarPolicy("x/rules/1"), true, "a policy named like a rule address"],
  ["cedar/policies/x\\/rules\\/1", rule("x", 1), false, "…is not that rule"],
];

describe("pattern matching", () => {
  it.each(MATCHES)("%s vs %j → %s (%s)", (pattern, address, expected) => {
    expect(matchPattern(compilePattern(pattern), address)).toBe(expected);
  });

  it("matchAny is true when one pattern matches", () => {
    const ps = ["organization/roles/Legacy *", "cedar/policies/team-a-*"].map(compilePattern);
    expect(matchAny(ps, org("Legacy X"))).toBe(true);
    expect(matchAny(ps, rule("team-a-1", 4))).toBe(true);
    expect(matchAny(ps, org("Auditor"))).toBe(false);
    expect(matchAny([], org("Legacy X"))).toBe(false);
  });

  it("every address of every kind is matched by its own written form and by `**`", () => {
    for (const [written, a] of ROUND_TRIPS) {
      expect(matchPattern(compilePattern(written), a), written).toBe(true);
      expect(matchPattern(compilePattern("**"), a), written).toBe(true);
    }
  });
});

/**
 * [pattern, reason fragment, 1-based column of the problem in the pattern text]. The column is what
 * diagnostics use to point inside the `owns` / `ignore` / `protect` string, so it names the character where
 * the problem is: the bad escape, the start of the empty segment, the segment holding `**`.
 */
const BAD_PATTERNS: [string, RegExp, number][] = [
  ["", /not empty/, 1],
  ["   ", /not empty/, 1],
  ["organization//roles/x", /no empty segment/, 14],
  ["/organization/roles/x", /no empty segment/, 1],
  ["organization/roles/", /no empty segment/, 20],
  ["organisation/roles/x", /starts with organization\/, projects\/, cedar\/ or \*\*/, 1],
  ["roles/Owner", /starts with organization\/, projects\/, cedar\/ or \*\*/, 1],
  // Issue 15: a pattern that is not an address form is refused at load, not accepted to match nothing.
  ["*", /starts with organization\/, projects\/, cedar\/ or \*\*, not `\*`/, 1],
  ["Manage*", /starts with organization\/, projects\/, cedar\/ or \*\*, not `Manage\*`/, 1],
  ["Billing Manager", /starts with organization\//, 1],
  ["*/roles/Auditor", /starts with organization\//, 1],
  ["Organization/roles/x", /starts with organization\//, 1],
  ["organization/*", /can never name an object/, 1],
  ["projects/*", /can never name an object/, 1],
  ["organization/Roles/Billing Manager", /can never name an object/, 1],
  ["cedar/policies/p/rules/first", /can never name an object/, 1],
  ["cedar/policies/p/x/y", /can never name an object/, 1],
  ["projects/a**b/roles/x", /`\*\*` stands alone/, 10],
  ["cedar/policies/**x", /`\*\*` stands alone/, 16],
  ["organization/roles/a\\qb", /`\\q` is not an escape/, 21],
  ["organization/roles/\\n", /`\\n` is not an escape/, 20],
  ["organization/roles/a\\", /trailing `\\` escapes nothing/, 21],
];

describe("bad patterns", () => {
  it.each(BAD_PATTERNS)("%j is rejected: %s", (pattern, reason) => {
    expect(() => compilePattern(pattern)).toThrow(AddressSyntaxError);
    expect(() => compilePattern(pattern)).toThrow(reason);
  });

  it.each(BAD_PATTERNS)("%j (%s): the error points at column %i", (pattern, _reason, col) => {
    let error: unknown;
    try {
      compilePattern(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AddressSyntaxError);
    expect((error as AddressSyntaxError).column, `column of the problem in ${JSON.stringify(pattern)}`).toBe(col);
  });

  it.each([
    "organization/roles/Legacy *",
    "**",
    "**/roles/x",
    "**/Manage*",
    "organization/*/x",
    "projects/**",
    "cedar/policies/p/rules/1*",
    "cedar/policies/p/rules/*",
    "organization/roles/a\\/b\\*c\\\\",
    "organization/roles/Zürich 🔥",
  ])("%j compiles", (pattern) => {
    expect(compilePattern(pattern).source).toBe(pattern);
  });
});

describe("bad patterns: the hint shows the address form (issue 15)", () => {
  const hintOf = (pattern: string): string => {
    try {
      compilePattern(pattern);
    } catch (e) {
      if (e instanceof AddressSyntaxError) return e.hint ?? "";
      throw e;
    }
    throw new Error(`${pattern} compiled`);
  };
  it.each([
    ["Manage*", "`organization/roles/Manage*`"],
    ["Manage*", "`**/Manage*`"],
    ["*", "`**` matches every object"],
    ["Organization/roles/Billing Manager", "`organization/roles/Billing Manager`"],
    ["organisation/roles/x", "`organization/roles/x`"],
    ["project/*/roles/x", "`projects/*/roles/x`"],
    ["roles/Owner", "`**/roles/Owner`"],
    ["organization/Roles/Billing Manager", "`organization/roles/Billing Manager`"],
    ["organization/*", "organization/(policies|roles)/<name>"],
  ])("%j → a hint containing %s", (pattern, fragment) => {
    expect(hintOf(pattern)).toContain(fragment);
  });
});

describe("hints for patterns that can never name an object", () => {
  const hintOf = (pattern: string): string => {
    try {
      compilePattern(pattern);
    } catch (e) {
      if (e instanceof AddressSyntaxError) return e.hint ?? "";
      throw e;
    }
    throw new Error(`${pattern} compiled`);
  };

  it("a collection without a name gets `*` as the name, never the collection's word", () => {
    expect(hintOf("projects/*/roles")).toContain("`projects/*/roles/*`");
    expect(hintOf("organization/roles")).toContain("`organization/roles/*`");
  });

  it("a name holding `/` is shown escaped", () => {
    expect(hintOf("organization/roles/Ops/Oncall")).toBe("a `/` inside a name is written `\\/`: `organization/roles/Ops\\/Oncall`");
    expect(hintOf("projects/Support Bot/policies/a/b")).toContain("`projects/Support Bot/policies/a\\/b`");
  });

  it("a rule address keeps its policy and says rules are numbered from 1", () => {
    expect(hintOf("cedar/policies/p/rules")).toContain("`cedar/policies/p/rules/1` (rules are numbered from 1)");
  });
});
