/**
 * The three shared Cedar use cases, as desired state, through the real CLI: they validate, every ALLOW/DENY
 * request gives the decision its folder names, and flipping one expectation makes `test` exit 3.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli, tempDir } from "../helpers/cli.js";
import { writeExampleDesiredState } from "../helpers/cedar-example.js";

const CASES = ["document_cloud", "github_example", "tags_n_roles"];

describe.each(CASES)("cedar example %s", (name) => {
  it("validates, and every request gives its folder's decision", async () => {
    const dir = tempDir();
    const requests = writeExampleDesiredState(join(ROOT, "test/fixtures/cedar-examples", name), name.replace(/_/g, "-"), dir);
    const validate = await runCli(["validate", dir]);
    expect(validate.stderr).not.toMatch(/error:/);
    expect(validate.code).toBe(0);
    const test = await runCli(["test", dir]);
    expect(test.code).toBe(0);
    for (const r of requests) expect(test.stdout).toContain(`PASS ${r.name}: ${r.expect} (expected ${r.expect})`);
    expect(test.stdout.trim().split("\n").at(-1)).toBe(`${requests.length} passed, 0 failed`);
  });

  it("exits 3 when one expectation is flipped", async () => {
    const dir = tempDir();
    writeExampleDesiredState(join(ROOT, "test/fixtures/cedar-examples", name), name.replace(/_/g, "-"), dir);
    const file = join(dir, "access.yaml");
    const yaml = readFileSync(file, "utf8");
    const flipped = yaml.replace(/expect: (allow|deny)/, (_, e: string) => `expect: ${e === "allow" ? "deny" : "allow"}`);
    writeFileSync(file, flipped);
    const test = await runCli(["test", dir]);
    expect(test.code).toBe(3);
    expect(test.stdout).toMatch(/^FAIL /m);
    expect(test.stdout.trim().split("\n").at(-1)).toMatch(/^\d+ passed, 1 failed$/);
  });
});
