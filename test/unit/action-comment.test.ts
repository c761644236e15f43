/**
 * The pull-request comment around the Markdown plan (issue 9, acceptance 2): a 3,000-change plan stays under
 * GitHub's 65,536-character limit and says where the full plan is; the hidden markers the action finds it by,
 * and the reviewed-changes digest, round-trip.
 */
import { describe, expect, it } from "vitest";
import { reviewDifferences as differences } from "../../src/flow/review.js";
import { normalizePath } from "../../src/action/inputs.js";
import { changesMarker, pathMarker, readChanges, readChecksum, readTargets } from "../../src/action/markers.js";
import { targetsDigest } from "../../src/flow/binding.js";
import { digestChanges } from "../../src/flow/review.js";
import { changeHeadline } from "../../src/render/plan-text.js";
import { GITHUB_BODY_LIMIT, planCommentBody } from "../../src/action/plan-comment.js";
import { composePlan } from "../../src/flow/compose-plan.js";
import type { Plan } from "../../src/plan/model.js";
import { desired, dPolicy, dRole, dScope, live, lScope } from "../helpers/builders.js";

function bigPlan(n: number): Plan {
  const half = n / 2;
  const policies = Array.from({ length: half }, (_, i) => dPolicy(`Policy ${String(i).padStart(4, "0")} <b>@team|x</b>`, ["billing:read", "user:read"], { description: `Grants ${i}` }));
  const roles = Array.from({ length: half }, (_, i) => dRole(`Role ${String(i).padStart(4, "0")}`, [`Policy ${String(i).padStart(4, "0")} <b>@team|x</b>`]));
  return composePlan(desired({ organization: dScope({ policies, roles }) }), live({ organization: lScope() }), { targets: { local: false, rbac: { url: "https://rbac.example" } } });
}

const FULL_PLAN_AT = "the job summary of https://github.com/acme/access/actions/runs/42 and the plan-file output (plan-access.json)";

describe("the plan comment", () => {
  it("keeps a 3,000-change plan under 65,536 characters and says where the full plan is", () => {
    const plan = bigPlan(3000);
    expect(plan.changes).toHaveLength(3000);
    const body = planCommentBody(plan, { path: "infra/access", fullPlanAt: FULL_PLAN_AT, note: "Drift is measured against the base commit <code>1a2b3c</code>." });
    expect(body.length).toBeLessThan(GITHUB_BODY_LIMIT);
    expect(body.startsWith(pathMarker("infra/access"))).toBe(true);
    expect(readChecksum(body)).toBe(plan.checksum);
    expect(body).toMatch(/more changes not shown: this comment is cut at [\d,]+ characters\. The full plan is in the job summary of https&#58;/);
    // Escaping is minimal: what is written stays searchable, only a bare URL is broken up.
    expect(body).toContain("plan-access.json");
    expect(body).toContain("Plan: 3000 to create, 0 to update, 0 to delete.");
    // User text is escaped: the names cannot open tags or mention anyone.
    expect(body).not.toContain("<b>@team");
    expect(body).not.toMatch(/(^|[^&#\w])@team/);
    // Too many changes for the digest: left out rather than pushing the body past the limit.
    expect(readChanges(body)).toBeUndefined();
  });

  it("carries the reviewed changes' digest when it fits, and the difference reads change by change", () => {
    const plan = bigPlan(40);
    const body = planCommentBody(plan, { path: ".", fullPlanAt: FULL_PLAN_AT });
    expect(body.length).toBeLessThan(GITHUB_BODY_LIMIT);
    const reviewed = readChanges(body);
    expect(reviewed).toEqual(digestChanges(plan.changes));
    expect(differences(reviewed!, plan.changes)).toEqual([]);

    const fresh = bigPlan(42).changes.filter((c) => c.id !== plan.changes[0]!.id);
    const d = differences(reviewed!, fresh);
    expect(d.filter((x) => x.how === "removed").map((x) => x.id)).toEqual([plan.changes[0]!.id]);
    expect(d.filter((x) => x.how === "added").map((x) => changeHeadline(x.change!)).sort()).toEqual(["+ organization/policies/Policy 0020 <b>@team|x<\\/b>", "+ organization/roles/Role 0020"]);
  });

  it("records a digest of the targets (never the URLs or the tenant) and reads it back", () => {
    const plan = bigPlan(3);
    const body = planCommentBody(plan, { path: ".", fullPlanAt: FULL_PLAN_AT });
    expect(readTargets(body)).toBe(targetsDigest(plan.targets));
    for (const url of Object.values(plan.targets).flatMap((t) => (typeof t === "object" ? Object.values(t) : []))) expect(body).not.toContain(url);
  });

  it("finds the digest only up to its size limit", () => {
    const plan = bigPlan(40);
    expect(changesMarker(plan.changes, 10)).toBeUndefined();
    expect(changesMarker(plan.changes, 10_000)).toMatch(/^<!-- accessctl:changes=[\w-]+ -->$/);
  });

  it("writes a path into its marker so that it cannot close the HTML comment", () => {
    expect(pathMarker("infra/access")).toBe("<!-- accessctl:path=infra/access -->");
    expect(pathMarker("a-->b")).toBe("<!-- accessctl:path=a%2D-%3Eb -->");
    expect(pathMarker("a-->b")).not.toMatch(/-->.*-->/);
  });

  it("normalises the path input", () => {
    expect(normalizePath("")).toBe(".");
    expect(normalizePath("./")).toBe(".");
    expect(normalizePath("./infra//access/")).toBe("infra/access");
    expect(() => normalizePath("../elsewhere")).toThrow(/inside the repository/);
    expect(() => normalizePath("/etc")).toThrow(/relative/);
  });
});
