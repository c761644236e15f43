/**
 * Rule quality through the real command line (SPEC section 4a; docs/file-format.md#coverage, #invariants,
 * #hygiene-warnings): `test --coverage` and `minCoverage`, invariants that hold and one that does not, a permit
 * shadowed by an unconditional forbid, a redundant pair, and no warning on the repository's Cedar examples or the
 * quickstart. The fixture (test/fixtures/rule-quality) is clean as it stands; each case adds or changes one thing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeExampleDesiredState } from "../helpers/cedar-example.js";
import { ROOT, runCli, tempDir } from "../helpers/cli.js";

const FIXTURE = "test/fixtures/rule-quality";

/** A copy of the fixture with `access.yaml` edited by `edit`, plus extra files. */
function fixture(edit: (yaml: string) => string = (y) => y, files: Record<string, string> = {}): string {
  const dir = tempDir(FIXTURE, files);
  const file = join(dir, "access.yaml");
  writeFileSync(file, edit(readFileSync(file, "utf8")));
  return dir;
}

const withMinCoverage = (share: number) => (y: string) => y.replace("    entities: ./entities.json\n", `    entities: ./entities.json\n    minCoverage: ${share}\n`);

/** `accessctl <command> . <args>` inside `dir`: diagnostics then name files as the user sees them. */
const run = (dir: string, command: string, ...args: string[]) => runCli([command, ".", ...args], { cwd: dir });

const HYGIENE = /shadowed-rule|redundant-rule|never decides|decides no request|repeats|matches exactly the requests/;

describe("coverage", () => {
  it("test --coverage lists every rule with the cases it decided, and the uncovered rules last", async () => {
    const dir = fixture();
    const r = await run(dir, "test", "--coverage");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toContain('    cedar/policies/documents/rules/1 @id("owners edit") (access.yaml:9): 1 case');
    expect(lines).toContain("    cedar/policies/documents/rules/2 (access.yaml:10): 1 case");
    expect(lines).toContain("    cedar/policies/documents/rules/3 (access.yaml:14): 0 cases");
    expect(lines).toContain("    cedar/policies/contractor-guard/rules/1 (access.yaml:22): 1 case");
    expect(lines).toContain("3 of 4 rules decided by some test (75%)");
    expect(lines.slice(-2)).toEqual(["Not decided by any test:", "  cedar/policies/documents/rules/3 (access.yaml:14)"]);
  });

  it("minCoverage below the share passes validate and test", async () => {
    const dir = fixture(withMinCoverage(0.75));
    expect((await run(dir, "validate")).code).toBe(0);
    const t = await run(dir, "test", "--coverage");
    expect(t.code).toBe(0);
    expect(t.stdout).toContain("3 of 4 rules decided by some test (75%), minCoverage 75%");
  });

  it("minCoverage above the share fails validate and test with exit 3, naming the uncovered rule", async () => {
    const dir = fixture(withMinCoverage(0.8));
    for (const command of ["validate", "test"]) {
      const r = await run(dir, command);
      expect(r.code, command).toBe(3);
      expect(r.stderr).toMatch(/access\.yaml:27:\d+ +error: access tests decide 3 of 4 rules \(75%\), below cedar\.tests\.minCoverage 80%; no test decides cedar\/policies\/documents\/rules\/3 \(access\.yaml:14\)/);
    }
  });

  it("a disabled policy is listed but left out of the share", async () => {
    const dir = fixture((y) => withMinCoverage(1)(y.replace("      maxDurationSeconds: 3600\n      rules:\n        - cedar: '@id", "      maxDurationSeconds: 3600\n      enabled: false\n      rules:\n        - cedar: '@id")));
    const r = await run(dir, "test", "--coverage", "--json");
    const out = JSON.parse(r.stdout) as { coverage: { rules: number; covered: number; policies: { address: string; enabled: boolean }[] } };
    expect(out.coverage.policies.find((p) => p.address === "cedar/policies/documents")?.enabled).toBe(false);
    expect(out.coverage.rules).toBe(1);
    expect(out.coverage.covered).toBe(1);
  });

  it("test --json prints the cases, invariants and coverage as one object", async () => {
    const r = await run(fixture(), "test", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown> & {
      cases: { name: string; pass: boolean }[];
      invariants: { name: string; status: string; requests: number }[];
      coverage: { share: number; uncovered: { address: string; file: string; line: number }[] };
    };
    expect(out.valid).toBe(true);
    expect(out.cases.map((c) => c.pass)).toEqual([true, true, true]);
    expect(out.invariants).toEqual([{ name: "contractors never delete", expect: "deny", status: "holds", requests: 6 }]);
    expect(out.coverage.share).toBe(0.75);
    expect(out.coverage.uncovered).toEqual([{ address: "cedar/policies/documents/rules/3", file: "access.yaml", line: 14 }]);
  });
});

describe("invariants", () => {
  it("test prints one line per invariant with the number of requests checked", async () => {
    const r = await run(fixture(), "test");
    expect(r.code).toBe(0);
    // carol, dave and the fresh user, in contractors or not: only the two contractors × (d1, d2, fresh doc).
    expect(r.stdout).toContain("PASS invariant contractors never delete: deny on 6 requests");
  });

  it("a violated invariant is exit 3 at its file:line, with an example request and the deciding rule", async () => {
    const dir = fixture((y) => `${y}    - name: staff never delete\n      principal: { in: 'Group::"staff"' }\n      action: { eq: delete }\n      expect: deny\n`);
    for (const command of ["validate", "test"]) {
      const r = await run(dir, command);
      expect(r.code, command).toBe(3);
      expect(r.stderr).toContain(
        'access.yaml:48:7  error: invariant `staff never delete` (expect deny) does not hold: User::"alice" Action::"delete" Doc::"__fresh__" is allowed by cedar/policies/documents/rules/3 (access.yaml:14); 3 of the 3 requests it matches violate it',
      );
    }
    const t = await run(dir, "test");
    expect(t.stdout).toContain('FAIL invariant staff never delete: deny on 3 requests, 3 violate it, e.g. User::"alice" Action::"delete" Doc::"__fresh__": allow by cedar/policies/documents/rules/3 (access.yaml:14)');
    expect(t.stdout).toContain("PASS invariant contractors never delete");
  });

  it("invariants run in plan too: a violation stops it with exit 3 before any live read", async () => {
    const dir = fixture((y) => `${y}    - name: staff never delete\n      principal: { in: 'Group::"staff"' }\n      action: { eq: delete }\n      expect: deny\n`);
    const r = await runCli(["plan", ".", "--target", "local"], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/invariant `staff never delete` \(expect deny\) does not hold: User::"alice" Action::"delete" Doc::"__fresh__" is allowed by cedar\/policies\/documents\/rules\/3/);
    expect(r.stderr).not.toMatch(HYGIENE);
  });

  it("an invariant matching more requests than cedar.review.maxRequests is an error, never a sample", async () => {
    const dir = fixture((y) => y.replace("  invariants:\n", "  review: { maxRequests: 5 }\n  invariants:\n"));
    const r = await run(dir, "test");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("invariant `contractors never delete` matches 6 requests of the universe, more than cedar.review.maxRequests (5): it was not checked");
    expect(r.stdout).toContain("SKIP invariant contractors never delete");
  });

  it("a malformed entity literal is an error at its field; a name declared twice names both places", async () => {
    const dir = fixture((y) => `${y}    - name: bad\n      principal: { eq: alice }\n      expect: deny\n    - name: contractors never delete\n      expect: deny\n`);
    const r = await run(dir, "validate");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("access.yaml:49:24  error: `alice` is not a Cedar entity literal (invariant `bad`)");
    expect(r.stderr).toContain("access.yaml:51:7  error: invariant `contractors never delete` is declared twice: here and at access.yaml:44:7");
  });

  it("plan says which invariant the apply restores", async () => {
    // Live: the guard permits what it should forbid (declared without the invariant, or the apply would be refused).
    const broken = tempDir(FIXTURE, {
      "access.yaml": [
        "cedar:",
        "  policies:",
        "    - name: contractor-guard",
        "      maxDurationSeconds: 3600",
        "      priority: 10",
        "      rules:",
        '        - cedar: permit(principal in Group::"contractors", action == Action::"delete", resource);',
        "",
      ].join("\n"),
    });
    const applied = await runCli(["apply", ".", "--target", "local", "--yes"], { cwd: broken });
    expect(applied.code, applied.stderr).toBe(0);
    const head = fixture();
    const plan = await runCli(["plan", head, "--target", "local", "--json"], { cwd: broken });
    expect(plan.code, plan.stderr).toBe(0);
    expect((JSON.parse(plan.stdout) as { invariantsRestored?: string[] }).invariantsRestored).toEqual(["contractors never delete"]);
    const text = await runCli(["plan", head, "--target", "local"], { cwd: broken });
    expect(text.stdout).toContain('this apply restores invariant "contractors never delete"');
    // Once applied, nothing is restored any more.
    expect((await runCli(["apply", head, "--target", "local", "--yes"], { cwd: broken })).code).toBe(0);
    const again = await runCli(["plan", head, "--target", "local", "--json"], { cwd: broken });
    expect((JSON.parse(again.stdout) as { invariantsRestored?: string[] }).invariantsRestored).toBeUndefined();
  });
});

describe("hygiene warnings", () => {
  it("the fixture as it stands has none", async () => {
    const r = await run(fixture(), "validate", "--deny-warnings");
    expect(r.stderr).not.toMatch(HYGIENE);
    expect(r.code).toBe(0);
  });

  it("a permit shadowed by an unconditional forbid: a warning naming both rules, an error with --deny-warnings", async () => {
    const shadow = [
      "cedar:",
      "  policies:",
      "    - name: dave",
      "      maxDurationSeconds: 3600",
      "      rules:",
      '        - cedar: forbid(principal == User::"dave", action, resource);',
      '        - cedar: permit(principal == User::"dave", action == Action::"view", resource is Doc);',
      "",
    ].join("\n");
    const dir = fixture(undefined, { "dave.yaml": shadow });
    const r = await run(dir, "validate");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "dave.yaml:7:11  cedar/policies/dave/rules/2  warning: this rule never decides: a forbid of its own priority group, cedar/policies/dave/rules/1 (dave.yaml:6), matches every request it matches and decides first",
    );
    expect(r.stderr).not.toContain("on the declared universe");
    const denied = await run(dir, "validate", "--deny-warnings");
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/dave\.yaml:7:11 +cedar\/policies\/dave\/rules\/2 +error: this rule never decides/);
  });

  it("a redundant pair: action in [Action::\"view\"] and action == Action::\"view\"", async () => {
    const pair = [
      "cedar:",
      "  policies:",
      "    - name: erin",
      "      maxDurationSeconds: 3600",
      "      rules:",
      '        - cedar: permit(principal == User::"erin", action in [Action::"view"], resource);',
      '        - cedar: permit(principal == User::"erin", action == Action::"view", resource);',
      "",
    ].join("\n");
    const r = await run(fixture(undefined, { "erin.yaml": pair }), "validate");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "erin.yaml:7:11  cedar/policies/erin/rules/2  warning: this rule repeats cedar/policies/erin/rules/1 (erin.yaml:6): same effect, and the same requests match both",
    );
  });

  it("a rule with conditions shadowed on the declared universe says so", async () => {
    const shadow = [
      "cedar:",
      "  policies:",
      "    - name: dave",
      "      maxDurationSeconds: 3600",
      "      rules:",
      '        - cedar: forbid(principal == User::"dave", action, resource);',
      '        - cedar: permit(principal, action == Action::"edit", resource) when { principal == User::"dave" && resource.owner == User::"carol" };',
      "",
    ].join("\n");
    const r = await run(fixture(undefined, { "dave.yaml": shadow }), "validate");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'dave.yaml:7:11  cedar/policies/dave/rules/2  warning: this rule decides no request on the declared universe (36 requests): on each of the 1 it matches, a forbid of its own priority group decides first, e.g. cedar/policies/dave/rules/1 (dave.yaml:6) on User::"dave" Action::"edit" Doc::"d2"',
    );
  });

  it("a rule that only errors on the fresh, attribute-less entities is not shadowed", async () => {
    // Matches nowhere on the universe (no document has a `secret` owner): it decides nothing, but nothing decides first.
    const lone = 'cedar:\n  policies:\n    - name: owners\n      maxDurationSeconds: 3600\n      rules:\n        - cedar: permit(principal, action == Action::"delete", resource) when { resource.owner == principal && principal in Group::"secret" };\n';
    const r = await run(fixture(undefined, { "owners.yaml": lone }), "validate", "--deny-warnings");
    expect(r.stderr).not.toMatch(HYGIENE);
    expect(r.code).toBe(0);
  });

  it("hygiene runs in validate and test only, never in plan", async () => {
    const shadow = "cedar:\n  policies:\n    - name: dave\n      maxDurationSeconds: 3600\n      rules:\n        - cedar: forbid(principal == User::\"dave\", action, resource);\n        - cedar: permit(principal == User::\"dave\", action, resource);\n";
    const dir = fixture(undefined, { "dave.yaml": shadow });
    expect((await run(dir, "test")).stderr).toMatch(/never decides/);
    const plan = await runCli(["plan", ".", "--target", "local"], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).not.toMatch(HYGIENE);
  });

  it.each(["document_cloud", "github_example", "tags_n_roles"])("no warning on the Cedar example %s", async (name) => {
    const dir = tempDir();
    writeExampleDesiredState(join(ROOT, "test/fixtures/cedar-examples", name), name.replace(/_/g, "-"), dir);
    const r = await run(dir, "validate", "--json");
    expect(r.code).toBe(0);
    // Two of the examples' entities files do not match their schemas: that warning is theirs (the tests say so too).
    const codes = (JSON.parse(r.stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code);
    expect(codes.filter((c) => c !== "cedar-entities")).toEqual([]);
  });

  it("no warning on examples/quickstart", async () => {
    const r = await runCli(["validate", "examples/quickstart", "--deny-warnings"]);
    expect(r.stderr).not.toMatch(HYGIENE);
    expect(r.code).toBe(0);
  });
});
