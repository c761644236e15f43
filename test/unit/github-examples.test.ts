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

  it("no workflow implies a read-only key: none exists for the RBAC API, so no READ key variable anywhere", () => {
    for (const name of files) expect(readFileSync(join(DIR, name), "utf8"), name).not.toMatch(/READ_API_KEY|read-only key where/i);
  });

  it("every job that sees a key takes it from an environment, never from the repository's secrets alone", () => {
    for (const name of files) {
      const w = load(name);
      for (const [jobName, j] of Object.entries(w.jobs)) {
        const usesSecrets = JSON.stringify(j).includes("secrets.");
        if (usesSecrets) expect(j.environment, `${name}: job ${jobName} reads secrets outside an environment`).toBeTruthy();
      }
    }
  });

  it("plan keeps the key from untrusted pull requests: branches of this repository only, in an environment; forks validate only", () => {
    const w = load("plan.yml");
    const jobs = Object.entries(w.jobs) as [string, Job & { if?: string }][];
    const withKey = jobs.filter(([, j]) => JSON.stringify(j).includes("secrets."));
    expect(withKey.length).toBeGreaterThan(0);
    for (const [, j] of withKey) {
      expect(j.environment).toBeTruthy();
      expect(j.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    }
    const forks = jobs.filter(([, j]) => j.if === "github.event.pull_request.head.repo.full_name != github.repository");
    expect(forks).toHaveLength(1);
    expect(JSON.stringify(forks[0]![1])).not.toMatch(/secrets\.|ACCESSCTL_(RBAC|CEDAR)_URL/);
    // The file says what the risk is.
    expect(readFileSync(join(DIR, "plan.yml"), "utf8")).toMatch(/neither service offers a read-only key/);
  });

  it("apply never overlaps itself and holds the write key in an environment", () => {
    const w = load("apply.yml");
    const group = typeof w.concurrency === "string" ? w.concurrency : w.concurrency?.group;
    expect(group).toBeTruthy();
    expect(typeof w.concurrency === "object" && w.concurrency["cancel-in-progress"]).toBe(false);
    for (const j of Object.values(w.jobs)) expect(j.environment).toBeTruthy();
  });
});
