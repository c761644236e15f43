/**
 * `accessctl explain` end to end (SPEC section 4a; docs/plan-and-apply.md#explain), through the real command line:
 * the three shared Cedar use cases give every ALLOW/DENY request its folder's decision and name a deciding rule
 * for ALLOW; a request that is not well written is exit 1 with a hint; files that cannot be loaded are exit 3 and
 * a failing access test is not; `--live` explains against the tenant read from an emulator on port 0.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Explanation } from "../../src/decisions/explain.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { writeExampleDesiredState } from "../helpers/cedar-example.js";
import { emulatorTargets, ROOT, runCli, tempDir } from "../helpers/cli.js";

const CASES = ["document_cloud", "github_example", "tags_n_roles"];

type JsonExplanation = Explanation & { source: "desired" | "live"; notes: string[] };

describe.each(CASES)("explain on the cedar example %s", (name) => {
  const dir = tempDir();
  const policy = name.replace(/_/g, "-");
  const requests = writeExampleDesiredState(join(ROOT, "test/fixtures/cedar-examples", name), policy, dir);

  it.each(requests.map((r) => [r.name, r] as const))("%s", async (_, r) => {
    const run = await runCli(["explain", dir, r.principal, r.action, r.resource, "--context", JSON.stringify(r.context), "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const e = JSON.parse(run.stdout) as JsonExplanation;
    expect(e.source).toBe("desired");
    expect(e.decision).toBe(r.expect);
    if (r.expect === "allow") {
      expect(e.deciding.length).toBeGreaterThan(0);
      for (const rule of e.deciding) {
        expect(rule.address).toMatch(new RegExp(`^cedar/policies/${policy}(-repeated)?/rules/\\d+$`));
        // Places are written as the directory was given (here an absolute path), as diagnostics write them.
        expect([join(dir, "cedar/policies.cedar"), join(dir, "cedar/repeated.cedar")]).toContain(rule.file);
        expect(rule.line).toBeGreaterThan(0);
      }
      expect(e.group).toEqual({ priority: 0 });
    }
    // Text: the same decision, and the deciding rules by address.
    const text = await runCli(["explain", dir, r.principal, r.action, r.resource, "--context", JSON.stringify(r.context)]);
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toMatch(new RegExp(`: ${r.expect.toUpperCase()}$`));
    for (const rule of e.deciding) expect(text.stdout).toContain(rule.address);
    expect(text.stderr).toContain("note: offline");
  });
});

describe("explain: the request, the files, and the notes", () => {
  const dir = tempDir("examples/quickstart");
  const BOB = ['User::"bob"', "request_access", 'AwsAccount::"prod"'];

  it("a bare action id means Action::\"id\"; the deciding rule is named with its @id and file:line; left-out settings are noted", async () => {
    const r = await runCli(["explain", dir, ...BOB, "--context", '{"duration_seconds": 1800, "ticket": "INC-2"}', "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout) as JsonExplanation;
    expect(e.request.action).toBe('Action::"request_access"');
    expect(e.decision).toBe("allow");
    expect(e.deciding).toEqual([{ address: "cedar/policies/break-glass/rules/1", id: "oncall-short-sessions", file: join(dir, "cedar/break-glass.cedar"), line: 2 }]);
    // The priority-10 group was consulted first and matched nothing for bob.
    expect(e.notMatched.map((g) => g.priority)).toEqual([10]);
    expect(e.notes.join("\n")).toMatch(/cedar\/policies\/break-glass leaves out priority \(taken as 0\) and enabled \(taken as true\)/);
    expect(r.stderr).toBe("");
  });

  it("a forbid that overrides a permit: DENY, the forbid deciding and the permit overridden", async () => {
    const r = await runCli(["explain", dir, 'User::"alice"', "request_access", 'AwsAccount::"prod"', "--context", '{"duration_seconds": 3600}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: DENY\n {2}decided by the priority-10 group of the desired managed policies \(offline\), forbidden by:\n {4}cedar\/policies\/production-access\/rules\/2 at \S+\/cedar\/access\.yaml:\d+\n/);
    expect(r.stdout).toMatch(/overridden by the forbid:\n {4}cedar\/policies\/production-access\/rules\/1 /);
  });

  it("a bad literal is exit 1 with a hint", async () => {
    const r = await runCli(["explain", dir, "User:bob", "request_access", 'AwsAccount::"prod"']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: principal "User:bob" is not a Cedar entity literal');
    expect(r.stderr).toMatch(/hint: write it as Type::"id"/);
    expect(r.stdout).toBe("");
  });

  it("a context that is not JSON, or not an object, is exit 1 with a hint", async () => {
    for (const context of ["{duration: 1}", "[1]"]) {
      const r = await runCli(["explain", dir, ...BOB, "--context", context]);
      expect(r.code, context).toBe(1);
      expect(r.stderr).toMatch(/error: the context (is not valid JSON|must be a JSON object)/);
      expect(r.stderr).toContain("hint: pass a JSON object");
    }
  });

  it("an action that is an entity of another type, or the wrong number of arguments, is exit 1", async () => {
    const wrong = await runCli(["explain", dir, 'User::"bob"', 'User::"x"', 'AwsAccount::"prod"']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not an action/);
    const short = await runCli(["explain", dir, 'User::"bob"']);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/explain takes \[dir\] <principal> <action> <resource>/);
  });

  it("the directory defaults to the working directory", async () => {
    const r = await runCli(["explain", ...BOB, "--context", '{"duration_seconds": 1800, "ticket": "INC-2"}'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: ALLOW\n/);
  });

  it("files that cannot be loaded, or whose Cedar does not parse, are exit 3", async () => {
    const broken = tempDir("examples/quickstart");
    writeFileSync(join(broken, "cedar/break-glass.cedar"), "permit(principal, action, resource) when { ;\n");
    const r = await runCli(["explain", broken, ...BOB]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("cedar/break-glass.cedar");
    const missing = await runCli(["explain", join(broken, "nowhere"), ...BOB]);
    expect(missing.code).toBe(3);
  });

  it("a failing access test does not stop it", async () => {
    const failing = tempDir("examples/quickstart");
    const file = join(failing, "cedar/access.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("expect: allow", "expect: deny"));
    expect((await runCli(["test", failing])).code).toBe(3);
    const r = await runCli(["explain", failing, ...BOB, "--context", '{"duration_seconds": 1800, "ticket": "INC-2"}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: ALLOW\n/);
  });
});

describe("explain --live against an emulator", () => {
  const RBAC_KEY = "rbac-SECRET-explain-41d0";
  const CEDAR_KEY = "cedar-SECRET-explain-7c2a";
  let em: EmulatorHandle;
  const dir = tempDir("examples/quickstart");
  const env = () => emulatorTargets(em.url, { rbac: RBAC_KEY, cedar: CEDAR_KEY });
  const BOB = ['User::"bob"', "request_access", 'AwsAccount::"prod"', "--context", '{"duration_seconds": 1800, "ticket": "INC-2"}'];

  beforeAll(async () => {
    em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY });
    const applied = await runCli(["apply", dir, "--yes"], { env: env() });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    // The files now drop break-glass: offline, bob is denied; live, the tenant still lets him in.
    const file = join(dir, "cedar/access.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/    - name: break-glass[\s\S]*?rules: \{ file: \.\/break-glass\.cedar \}\n/, ""));
  });
  afterAll(async () => {
    await em?.close();
  });

  it("explains against the live policies, each rule named as the desired rule it is", async () => {
    const offline = await runCli(["explain", dir, ...BOB, "--json"], { env: env() });
    expect(offline.code, offline.stderr).toBe(0);
    expect((JSON.parse(offline.stdout) as JsonExplanation).decision).toBe("deny");

    const r = await runCli(["explain", dir, ...BOB, "--live", "--json"], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout) as JsonExplanation;
    expect(e.source).toBe("live");
    expect(e.decision).toBe("allow");
    // break-glass is live only now: its rule is known by its live address (the service keeps no @id).
    expect(e.deciding).toEqual([{ address: "cedar/policies/break-glass/rules/1" }]);
    // production-access is in the files: its live rules carry the files' places.
    expect(e.notMatched[0]?.rules.map((x) => x.file)).toEqual([join(dir, "cedar/access.yaml"), join(dir, "cedar/access.yaml")]);
    for (const t of [r.stdout, r.stderr]) {
      expect(t).not.toContain(RBAC_KEY);
      expect(t).not.toContain(CEDAR_KEY);
    }
    const text = await runCli(["explain", dir, ...BOB, "--live"], { env: env() });
    expect(text.stdout).toContain("the live policies of the tenant");
  });

  it("needs a target, as plan does", async () => {
    const r = await runCli(["explain", dir, ...BOB, "--live"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error:/);
  });
});
