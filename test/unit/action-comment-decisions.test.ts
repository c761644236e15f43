/**
 * The pull-request comment carries the decision review (docs/plan-and-apply.md#decision-review): within GitHub's
 * body limit, with its own share of the budget, so that a plan of thousands of changes cuts its changes and still
 * shows what the Cedar change allows and denies; names and permissions stay searchable in the raw body.
 */
import { describe, expect, it } from "vitest";
import { GITHUB_BODY_LIMIT, planCommentBody } from "../../src/action/plan-comment.js";
import { readChecksum } from "../../src/action/markers.js";
import { composePlan } from "../../src/flow/compose-plan.js";
import type { Plan } from "../../src/plan/model.js";
import { dCedarPolicy, desired, dPolicy, dScope, lCedarPolicy, live, lRule, lScope } from "../helpers/builders.js";

function plan(policies: number): Plan {
  const names = Array.from({ length: policies }, (_, i) => `Policy ${String(i).padStart(4, "0")} @team`);
  const d = desired({
    organization: dScope({ policies: names.map((n) => dPolicy(n, ["billing:read", "user:read"], { description: `grants ${n}` })) }),
    cedar: [dCedarPolicy("docs", ['@id("everyone-views")\npermit(principal, action == Action::"view", resource);'])],
  });
  const l = live({ organization: lScope(), cedar: [lCedarPolicy("c1", "docs", [lRule("r1", 1, 'permit(principal == User::"alice", action == Action::"view", resource == Doc::"d1");')])] });
  return composePlan(d, l, { targets: { local: true } });
}

describe("the plan comment's decision review", () => {
  it("fits beside 3,000 changes: the changes are cut, the review and the checksum are not", () => {
    const p = plan(3000);
    expect(p.decisions?.groups.length).toBeGreaterThan(0);
    const body = planCommentBody(p, { path: "access", fullPlanAt: "the job summary" });
    expect(body.length).toBeLessThan(GITHUB_BODY_LIMIT);
    expect(body).toMatch(/\d+ more changes not shown/);
    const review = body.indexOf("#### Decision review");
    expect(review).toBeGreaterThan(body.indexOf("#### Changes"));
    expect(body).toContain("| wider | <code>User</code> | <code>Action::\"view\"</code> | <code>Doc</code> |");
    expect(body.slice(review)).toMatch(/<code>cedar\/policies\/docs\/rules\/1<\/code> \(<code>&#64;id\("everyone-views"\)<\/code>, <code>cedar\/access\.yaml:\d+<\/code>\)/);
    expect(readChecksum(body)).toBe(p.checksum);
    // Permissions are searchable as written; the names' mentions are not live.
    expect(body).toContain("<code>billing:read</code>");
    expect(body).not.toMatch(/(^|[^&#\w])@team/);
  });

  it("a small plan shows every change and the review", () => {
    const p = plan(3);
    const body = planCommentBody(p, { path: "access", fullPlanAt: "the job summary" });
    expect(body).not.toMatch(/more changes? not shown/);
    expect(body).toContain("#### Decision review");
    expect(body).toContain("On a declared universe of");
  });
});
