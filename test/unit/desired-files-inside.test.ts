/**
 * Files stay inside (SPEC section 1; issue 15): every file the loader reads — YAML found in the directory and every
 * referenced file — is a regular file whose real path lies inside the Git work tree holding the directory (inside
 * the directory itself outside a work tree), never inside `.git`. A refused file is not opened: its content never
 * reaches a diagnostic. Dangling links and links to directories are errors, never skipped in silence.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { loadDesiredState } from "../../src/desired/load.js";
import { tempDir } from "../helpers/cli.js";

/** A secret-looking token that must never show up in a diagnostic. */
const TOKEN = "TOPSECRET_4711";
const OUTSIDE_TEXT = `${TOKEN} ${TOKEN}\n`;

const policy = (rules: string): string => `cedar:\n  policies:\n    - name: p\n      maxDurationSeconds: 60\n      rules: ${rules}\n`;

function errors(dir: string, options: { files?: Map<string, string>; cwd?: string } = {}): Diagnostic[] {
  const r = loadDesiredState(dir, { env: {}, ...options });
  const all = r.diagnostics.filter((d) => d.severity === "error");
  for (const d of r.diagnostics) expect(JSON.stringify(d)).not.toContain(TOKEN);
  return all;
}

const brief = (d: Diagnostic): string => `${d.code}: ${d.message}`;

describe("outside a Git work tree the boundary is the directory itself", () => {
  it("a rules file that climbs out is refused by its path, and is never opened", () => {
    const root = tempDir(undefined, { "outside.txt": OUTSIDE_TEXT, "desired/cedar.yaml": policy("{ file: ../outside.txt }") });
    const out = errors(join(root, "desired"));
    expect(out.map(brief)).toEqual(["file-outside: the Cedar rules file ../outside.txt lies outside the desired-state directory"]);
    expect(out[0]).toMatchObject({ file: join(root, "desired/cedar.yaml"), line: 5, col: 22 });
  });

  it("an absolute path is refused as such", () => {
    const root = tempDir(undefined, { "outside.txt": OUTSIDE_TEXT });
    const dir = join(root, "d");
    mkdirSync(dir);
    writeFileSync(join(dir, "cedar.yaml"), `cedar:\n  schema: ${join(root, "outside.txt")}\n  tests:\n    entities: ${join(root, "outside.txt")}\n    cases: []\n`);
    expect(errors(dir).map((d) => d.code)).toEqual(["file-absolute", "file-absolute"]);
  });

  it("a YAML file that is a link to a file outside is refused; a link inside is read", () => {
    const root = tempDir(undefined, { "outside.yaml": `organization:\n  roles: [{ name: "${TOKEN}", policies: [] }]\n`, "d/real/org.yaml": "organization:\n  policies: []\n" });
    const dir = join(root, "d");
    symlinkSync(join(root, "outside.yaml"), join(dir, "leak.yaml"));
    symlinkSync("real/org.yaml", join(dir, "alias.yml.txt")); // not a YAML name: ignored
    const out = errors(dir);
    expect(out.map(brief)).toEqual([`file-link-outside: ${join(dir, "leak.yaml")} is a symbolic link that points outside the desired-state directory`]);
    expect(out[0]).toMatchObject({ line: 1, col: 1 });
  });

  it("a rules file that is a link pointing out is refused", () => {
    const root = tempDir(undefined, { "outside.cedar": `permit(principal, action, resource) when { ${TOKEN} };`, "d/cedar.yaml": policy("{ file: ./rules.cedar }") });
    symlinkSync(join(root, "outside.cedar"), join(root, "d/rules.cedar"));
    expect(errors(join(root, "d")).map(brief)).toEqual(["file-link-outside: the Cedar rules file ./rules.cedar is a symbolic link that points outside the desired-state directory"]);
  });

  it("dangling links and links to directories are errors, not skipped", () => {
    const root = tempDir(undefined, { "d/org.yaml": "organization:\n  roles: []\n", "elsewhere/more.yaml": "organization:\n  policies: []\n" });
    const dir = join(root, "d");
    symlinkSync(join(root, "nowhere.yaml"), join(dir, "gone.yaml"));
    symlinkSync(join(root, "nowhere"), join(dir, "shared"));
    symlinkSync(join(root, "elsewhere"), join(dir, "more"));
    symlinkSync(join(root, "elsewhere"), join(dir, ".hidden")); // a dot-name is skipped by name, like a dot-directory
    expect(errors(dir).map((d) => `${d.code} ${d.file}`)).toEqual([
      `file-dangling-link ${join(dir, "gone.yaml")}`,
      `file-symlink-dir ${join(dir, "more")}`,
      `file-dangling-link ${join(dir, "shared")}`,
    ]);
  });

  it("a referenced path naming a directory is refused as not a regular file", () => {
    const root = tempDir(undefined, { "d/cedar.yaml": policy("{ file: ./sub }"), "d/sub/x.txt": "x" });
    expect(errors(join(root, "d")).map((d) => d.code)).toEqual(["file-not-regular"]);
  });

  it("a FIFO named like a YAML file is refused (never opened: reading it would block)", () => {
    const root = tempDir(undefined, { "d/org.yaml": "organization:\n  roles: []\n" });
    try {
      execFileSync("mkfifo", [join(root, "d/pipe.yaml")]);
    } catch {
      return; // no mkfifo here
    }
    expect(errors(join(root, "d")).map((d) => d.code)).toEqual(["file-not-regular"]);
  });
});

describe("inside a Git work tree the boundary is the work tree", () => {
  function repo(): string {
    const root = tempDir(undefined, {
      "repo/.git/config": `[core]\n\t${TOKEN} = 1\n`,
      "repo/shared/schema.cedarschema": "entity User;\naction a appliesTo { principal: [User], resource: [User] };\n",
      "outside.cedar": `permit(principal, action, resource) when { ${TOKEN} };`,
    });
    return join(root, "repo");
  }

  it("two directories can share one schema above them", () => {
    const top = repo();
    for (const d of ["team-a", "team-b"]) {
      mkdirSync(join(top, d));
      writeFileSync(join(top, d, "cedar.yaml"), `cedar:\n  schema: ../shared/schema.cedarschema\n  policies: []\n`);
      const r = loadDesiredState(join(top, d), { env: {} });
      expect(r.diagnostics).toEqual([]);
      expect(r.desired?.cedar?.schema?.text).toContain("entity User");
      expect(r.desired?.sources.map((s) => s.path)).toEqual(["../shared/schema.cedarschema", "cedar.yaml"]);
    }
  });

  it("the work tree is found from a relative directory and `cwd`", () => {
    const top = repo();
    mkdirSync(join(top, "infra/access"), { recursive: true });
    writeFileSync(join(top, "infra/access/cedar.yaml"), `cedar:\n  schema: ../../shared/schema.cedarschema\n  policies: []\n`);
    expect(loadDesiredState("infra/access", { env: {}, cwd: top }).diagnostics).toEqual([]);
  });

  it("climbing out of the work tree, or into .git, is refused; the files are not opened", () => {
    const top = repo();
    mkdirSync(join(top, "d"));
    writeFileSync(join(top, "d/cedar.yaml"), policy("{ file: ../../outside.cedar }"));
    writeFileSync(join(top, "d/tests.yaml"), `cedar:\n  tests:\n    entities: ../.git/config\n    cases: []\n`);
    const out = errors(join(top, "d"));
    expect(out.map(brief)).toEqual([
      `file-outside: the Cedar rules file ../../outside.cedar lies outside the Git work tree (${top})`,
      "file-in-git: the entities file ../.git/config lies inside a .git directory",
    ]);
  });

  it("a link inside the work tree that points into .git is refused", () => {
    const top = repo();
    mkdirSync(join(top, "d"));
    writeFileSync(join(top, "d/cedar.yaml"), policy("{ file: ./rules.cedar }"));
    symlinkSync("../.git/config", join(top, "d/rules.cedar"));
    expect(errors(join(top, "d")).map(brief)).toEqual(["file-link-outside: the Cedar rules file ./rules.cedar is a symbolic link that points into a .git directory"]);
  });
});

describe("files from a map (saved plan, base commit) follow the same path rules", () => {
  it("paths that climb out of the boundary, enter .git or are absolute are refused; ../shared inside is read", () => {
    const root = tempDir(undefined, { "repo/.git/HEAD": "ref: x\n", "repo/d/.keep": "" });
    const dir = join(root, "repo/d");
    const files = new Map([
      ["cedar.yaml", policy("{ file: ../../outside.cedar }")],
      ["schema.yaml", "cedar:\n  schema: ../shared/s.cedarschema\n"],
      ["tests.yaml", "cedar:\n  tests:\n    entities: ../.git/HEAD\n    cases: []\n"],
      ["abs.yaml", "cedar:\n  policies:\n    - name: q\n      maxDurationSeconds: 60\n      rules: { file: /etc/hostname }\n"],
      ["../shared/s.cedarschema", "entity User;\n"],
      ["../../outside.cedar", `permit(principal, action, resource) when { ${TOKEN} };`],
      ["../.git/HEAD", TOKEN],
    ]);
    expect(errors(dir, { files }).map((d) => d.code)).toEqual(["file-absolute", "file-outside", "file-in-git"]);
  });
});
