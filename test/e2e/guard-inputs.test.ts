/**
 * Issue 15, end to end through the CLI (`runCli`, in-process): inputs that steer the guards cannot mislead.
 * - a file outside the boundary is refused by its path and its content never reaches the output;
 * - `${env:CONFIDENT_API_KEY}` in a description is an invalid desired state (exit 3), named by its place, and the
 *   key never appears in any output;
 * - a `protect: ["*"]` pattern is refused at load with the address form in its hint.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

const TOKEN = "RUNNER_SECRET_93d1";
const KEY = "ck_live_e2e_4c1a";

describe("accessctl validate: files stay inside", () => {
  it("`rules: { file: ../outside.txt }` is refused by its path; the file's first token is not echoed", async () => {
    const root = tempDir(undefined, { "outside.txt": `${TOKEN} and more\n` });
    mkdirSync(join(root, "desired"));
    writeFileSync(join(root, "desired/cedar.yaml"), "cedar:\n  policies:\n    - name: p\n      maxDurationSeconds: 60\n      rules: { file: ../outside.txt }\n");
    const r = await runCli(["validate", "desired", "--json"], { cwd: root });
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    const out = JSON.parse(r.stdout) as { diagnostics: { code: string; message: string; line: number; col: number }[] };
    expect(out.diagnostics.map((d) => [d.code, d.message, d.line, d.col])).toEqual([
      ["file-outside", "the Cedar rules file ../outside.txt lies outside the desired-state directory", 5, 22],
    ]);
  });

  it("a YAML file that links out of the directory is refused, and so is a dangling link", async () => {
    const root = tempDir(undefined, { "outside.yaml": `organization:\n  roles: [{ name: ${TOKEN}, policies: [] }]\n`, "desired/org.yaml": "organization:\n  policies: []\n" });
    symlinkSync(join(root, "outside.yaml"), join(root, "desired/x.yaml"));
    symlinkSync(join(root, "gone.yaml"), join(root, "desired/gone.yaml"));
    const r = await runCli(["validate", "desired"], { cwd: root });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("desired/x.yaml:1:1  error: desired/x.yaml is a symbolic link that points outside the desired-state directory");
    expect(r.stderr).toContain("desired/gone.yaml:1:1  error: desired/gone.yaml is a dangling symbolic link");
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});

describe("accessctl validate: keys are never interpolated", () => {
  it("a description of `${env:CONFIDENT_API_KEY}` is invalid (exit 3) at its place, the key never printed", async () => {
    const root = tempDir(undefined, {
      "org.yaml": 'organization:\n  policies:\n    - name: Manage billing\n      description: "${env:CONFIDENT_API_KEY}"\n      permissions: [billing:read]\n',
    });
    for (const args of [["validate", "."], ["validate", ".", "--json"], ["plan", ".", "--target", "local"]]) {
      const r = await runCli(args, { cwd: root, env: { CONFIDENT_API_KEY: KEY } });
      expect(r.code, `${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(3);
      expect(r.stdout + r.stderr).not.toContain(KEY);
      expect(r.stdout + r.stderr).toContain("contains the value of CONFIDENT_API_KEY");
      expect(r.stdout + r.stderr).toMatch(/org\.yaml(:4:20|",\s*"line": 4)/);
    }
  });
});

describe("accessctl validate: patterns are addresses", () => {
  it("`protect: [\"*\"]` is invalid at load, with a hint showing the address form", async () => {
    const root = tempDir(undefined, { "settings.yaml": 'organization:\n  roles: []\naccessctl:\n  protect: ["Billing*"]\n' });
    const r = await runCli(["validate", "."], { cwd: root });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('settings.yaml:4:14  error: `protect` pattern "Billing*": a pattern starts with organization/, projects/, cedar/ or **');
    expect(r.stderr).toContain("`organization/roles/Billing*`");
  });
});

describe("accessctl --help: how patterns read", () => {
  it.each(["plan", "apply", "export"])("%s --help explains the address form, * and **, escapes and case", async (command) => {
    const r = await runCli([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("A pattern starts with organization/, projects/, cedar/ or **");
    expect(r.stdout).toContain("* matches\nwithin one segment (never a /), ** matches across segments");
    expect(r.stdout).toContain("Names are case-sensitive");
  });
});
