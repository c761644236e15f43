/**
 * The ready workflows in examples/github/ (issue 9, acceptance 4): each parses as YAML, declares least-privilege
 * `permissions` (at the top or on every job; never `write-all`; writes only where the flow needs them), and pins
 * every third-party action by a full commit SHA.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const DIR = join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "examples/github");

type Permissions = string | Record<string, string>;
interface Step {
  uses?: string;
}
interface Job {
  permissions?: Permissions;
  environment?: unknown;
  steps?: Step[];
  uses?: string;
}
interface Workflow {
  on?: unknown;
  permissions?: Permissions;
  concurrency?: { group?: string; "cancel-in-progress"?: boolean } | string;
  jobs: Record<string, Job>;
}

/** Writes each flow needs, and nothing more. */
const ALLOWED_WRITES: Record<string, string[]> = {
  "plan.yml": ["pull-requests"],
  "apply.yml": ["pull-requests"],
  "drift.yml": ["issues"],
};

function load(name: string): Workflow {
  return parse(readFileSync(join(DIR, name), "utf8")) as Workflow;
}

/** Every `uses:` in the workflow: steps' actions and reusable-workflow jobs. */
function usesOf(w: Workflow): string[] {
  return Object.values(w.jobs).flatMap((j) => [...(j.uses ? [j.uses] : []), ...(j.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : []))]);
}

function writesOf(p: Permissions): string[] {
  if (typeof p === "string") return p === "write-all" ? ["*"] : [];
  return Object.entries(p)
    .filter(([, v]) => v === "write")
    .map(([k]) => k);
}

describe("examples/github workflows", () => {
  const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

  it("are the three ready workflows", () => {
    expect(files).toEqual(["apply.yml", "drift.yml", "plan.yml"]);
  });

  for (const name of Object.keys(ALLOWED_WRITES)) {
    describe(name, () => {
      const w = load(name);

      it("parses as a workflow with jobs", () => {
        expect(w.on).toBeDefined();
        expect(Object.keys(w.jobs).length).toBeGreaterThan(0);
      });

      it("declares least-privilege permissions at the top or on every job, never write-all", () => {
        const declared = [...(w.permissions !== undefined ? [w.permissions] : []), ...Object.values(w.jobs).flatMap((j) => (j.permissions !== undefined ? [j.permissions] : []))];
        const everyJob = Object.values(w.jobs).every((j) => j.permissions !== undefined);
        expect(w.permissions !== undefined || everyJob, `${name}: declare permissions at the top or on every job`).toBe(true);
        for (const p of declared) {
          expect(p).not.toBe("write-all");
          expect(p).not.toBe("read-all");
          expect(typeof p, `${name}: list the scopes one by one`).toBe("object");
          for (const v of Object.values(p as Record<string, string>)) expect(["read", "write", "none"]).toContain(v);
          for (const scope of writesOf(p)) expect(ALLOWED_WRITES[name], `${name} writes ${scope}`).toContain(scope);
        }
      });

      it("pins every third-party action by a full commit SHA", () => {
        const uses = usesOf(w);
        expect(uses.length).toBeGreaterThan(0);
        for (const u of uses) {
          if (u.startsWith("./") || u.startsWith("docker://")) continue;
          expect(u, `${name}: ${u} must be pinned by a 40-hex commit SHA`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
        }
      });
    });
  }

  it("apply never overlaps itself and holds the write key in an environment", () => {
    const w = load("apply.yml");
    const group = typeof w.concurrency === "string" ? w.concurrency : w.concurrency?.group;
    expect(group).toBeTruthy();
    expect(typeof w.concurrency === "object" && w.concurrency["cancel-in-progress"]).toBe(false);
    for (const j of Object.values(w.jobs)) expect(j.environment).toBeTruthy();
  });
});
