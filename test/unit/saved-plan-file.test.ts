/**
 * `readSavedPlan` (src/flow/saved-plan-file.ts): a plan file edited by hand is a usage error that says it is
 * incomplete — never "this is a bug" further down in apply. The plans start from a real `plan --out`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { UsageError } from "../../src/errors/user-errors.js";
import { readSavedPlan } from "../../src/flow/saved-plan-file.js";
import { emulatorTargets, runCli, tempDir } from "../helpers/cli.js";

/** Keys no file holds (a key found in the files is refused). */
const KEYS = { rbac: "rbac-SAVED-plan-7f3a", cedar: "cedar-SAVED-plan-2b9e" };
const env = () => emulatorTargets(em.url, KEYS);

let em: EmulatorHandle;
let dir: string;
let saved: Record<string, unknown>;

beforeAll(async () => {
  em = await startEmulator({ port: 0, rbacKey: KEYS.rbac, cedarKey: KEYS.cedar });
  dir = tempDir("examples/quickstart");
  const r = await runCli(["plan", ".", "--out", "plan.json"], { cwd: dir, env: env() });
  expect(r.code, r.stderr).toBe(0);
  saved = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as Record<string, unknown>;
});

afterAll(async () => {
  await em?.close();
});

/** The saved plan with `edit` applied, written beside it; its file name. */
function edited(name: string, edit: (plan: any) => void): string {
  const plan = structuredClone(saved);
  edit(plan);
  writeFileSync(join(dir, name), JSON.stringify(plan, null, 2));
  return name;
}

const EDITS: [string, (plan: any) => void, string][] = [
  ["without targets", (p) => delete p.targets, "no targets"],
  ["without desired.dir", (p) => delete p.desired.dir, "no desired directory"],
  ['with "only" a string', (p) => (p.only = "x"), "`only` is not a list of patterns"],
  ["with targets.local not a boolean", (p) => (p.targets = { local: "yes" }), "no targets"],
  ["with a desired file that is not one", (p) => (p.desired.files = [1]), "desired files without their path or text"],
];

describe("readSavedPlan", () => {
  it("reads the plan file that plan --out wrote", () => {
    expect(readSavedPlan("plan.json", dir)).toEqual(saved);
  });

  it("an unreadable plan file: says which and why", () => {
    expect(() => readSavedPlan("missing.json", dir)).toThrow(/^cannot read the plan file missing\.json: it does not exist/);
  });

  it.each(EDITS)("a plan %s is incomplete: a usage error naming what is missing", (_, edit, what) => {
    const file = edited("edited.json", edit);
    let thrown: unknown;
    try {
      readSavedPlan(file, dir);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).message).toBe(`the plan file edited.json is incomplete (${what})`);
    expect((thrown as UsageError).hint).toContain("accessctl plan --out");
  });

  it.each(EDITS)("apply --plan with a plan %s: exit 1, incomplete, never a bug, nothing read", async (_, edit) => {
    const file = edited("edited.json", edit);
    const from = em.requestLog.length;
    const r = await runCli(["apply", "--plan", file], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("the plan file edited.json is incomplete");
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toContain("this is a bug");
    expect(em.requestLog.length).toBe(from);
  });
});
