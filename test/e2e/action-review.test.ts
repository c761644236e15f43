/**
 * The GitHub Action end to end, a repository's history (issue 9, acceptance 1): a push applies the base; a pull
 * request is planned (one comment, updated on a second run); its merge is applied (comment on the PR); a second
 * pull request is refused at merge because live changed after the review, then forced; the nightly drift run
 * opens, updates and closes one issue. The tests run in order and share the live state. The harness:
 * `test/helpers/action-harness.ts`; the edges (errors, forks) and cancellation run in their own files, in parallel.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/plan/model.js";
import { HUMAN } from "../helpers/fake-github.js";
import { ActionHarness, APPLY_MARKER, expectOk, MARKER, text } from "../helpers/action-harness.js";

const h = new ActionHarness();

describe("the GitHub Action over a repository's history", () => {
  let baseSha: string;
  let headSha: string;
  let mergeSha: string;
  let reviewedChecksum: string;

  it("apply on a push with no pull request refuses without a reviewed plan, and applies with force", async () => {
    baseSha = h.commit("base: the quickstart");
    const refused = await h.runAction({ command: "apply", event: "push", sha: baseSha });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("::error::Refusing to apply");
    expect(refused.summary).toContain("No merged pull request was found");
    expect(h.em.state.list("policies").some((p) => p.name === "Manage billing")).toBe(false);

    const forced = await h.runAction({ command: "apply", event: "workflow_dispatch", sha: baseSha, inputs: { force: "true" } });
    expectOk(forced);
    expect(forced.outputs["has-changes"]).toBe("true");
    expect(forced.outputs["summary"]).toMatch(/^Applied 14 change\(s\)\.$/);
    expect(forced.summary).toContain("✅ applied");
    expect(h.writes()).toHaveLength(0); // no pull request: nothing to comment on
    expect((h.orgPolicy("Manage billing")).description).toBe("Grants access to billing settings");
  });

  it("plan on a pull request creates one comment with the plan, the drift and the checksum, and writes the outputs", async () => {
    // The pull request: a new role in the files. Meanwhile someone edits a policy in the console (drift).
    h.git("checkout", "-q", "-b", "feature");
    h.edit("organization.yaml", "  roles:\n", "  roles:\n    - name: Finance Viewer\n      policies: [Manage billing]\n");
    headSha = h.commit("add Finance Viewer");
    await h.editLiveDescription("Audit access", "edited in the console");
    // Other people's comments come first, so finding ours means paging (the fake serves 2 per page).
    for (let i = 0; i < 5; i++) h.gh.comments.push({ id: 10 + i, issue: 7, body: `looks good ${i}${i === 3 ? ` (quoting ${MARKER})` : ""}`, user: HUMAN });

    const r = await h.runAction({ command: "plan", event: "pull_request", sha: headSha, payload: h.prPayload(7, baseSha, headSha) });
    expectOk(r);
    const ours = h.markedComments(7).filter((c) => c.user.type === "Bot");
    expect(ours).toHaveLength(1);
    const raw = ours[0]!.body;
    const body = text(raw);
    expect(raw.startsWith(MARKER)).toBe(true);
    expect(body).toContain("Plan: 1 to create, 1 to update, 0 to delete.");
    expect(body).toContain("Finance Viewer");
    expect(body).toContain("#### Drift");
    expect(body).toMatch(/drift \(changed outside Git/);
    expect(r.outputs["has-changes"]).toBe("true");
    expect(r.outputs["checksum"]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(raw).toContain(`<!-- accessctl:checksum=${r.outputs["checksum"]} -->`);
    expect(body).toContain(`checksum <code>${r.outputs["checksum"]}</code>`);
    expect(r.outputs["summary"]).toBe("Plan: 1 to create, 1 to update, 0 to delete.");
    const planFile = r.outputs["plan-file"]!;
    const saved = JSON.parse(readFileSync(planFile, "utf8")) as Plan;
    expect(saved.checksum).toBe(r.outputs["checksum"]);
    expect(r.summary).toContain("### accessctl plan: access");
    expect(r.summary).toContain("Finance Viewer");
    h.expectNoSecrets(raw, readFileSync(planFile, "utf8"));
    // Found by paging: the list was read past the first page.
    expect(h.gh.requests.some((q) => q.method === "GET" && q.path.endsWith("/issues/7/comments") && q.query.get("page") === "3")).toBe(true);
    reviewedChecksum = r.outputs["checksum"]!;
  });

  it("a second run updates the same comment, never a second one; \"No changes\" updates it too", async () => {
    h.edit("organization.yaml", "    - name: Finance Viewer\n", "    - name: Finance Viewer\n      description: Reads invoices\n");
    headSha = h.commit("describe Finance Viewer");
    const r = await h.runAction({ command: "plan", event: "pull_request", sha: headSha, payload: h.prPayload(7, baseSha, headSha) });
    expectOk(r);
    const ours = h.markedComments(7).filter((c) => c.user.type === "Bot");
    expect(ours).toHaveLength(1);
    expect(text(ours[0]!.body)).toContain("Reads invoices");
    expect(h.gh.requests.filter((q) => q.method === "POST" && q.path.endsWith("/issues/7/comments"))).toHaveLength(1);
    expect(h.gh.requests.filter((q) => q.method === "PATCH" && q.path === `/repos/${h.gh.owner}/${h.gh.repo}/issues/comments/${ours[0]!.id}`)).toHaveLength(1);
    reviewedChecksum = r.outputs["checksum"]!;
    expect(ours[0]!.body).toContain(reviewedChecksum);

    // A pull request whose files change nothing on a live state that matches: "No changes", same comment.
    const noop = await h.runAction({ command: "plan", event: "pull_request", sha: baseSha, payload: h.prPayload(8, baseSha, baseSha) });
    expectOk(noop);
    await h.editLiveDescription("Audit access", "Read who can do what, change nothing"); // undo the drift for PR 8 …
    const again = await h.runAction({ command: "plan", event: "pull_request", sha: baseSha, payload: h.prPayload(8, baseSha, baseSha) });
    expectOk(again);
    expect(h.markedComments(8)).toHaveLength(1);
    expect(text(h.markedComments(8)[0]!.body)).toContain("No changes. Live state matches the desired state.");
    expect(again.outputs["has-changes"]).toBe("false");
    await h.editLiveDescription("Audit access", "edited in the console"); // … and put it back: PR 7 was reviewed with it
  });

  it("apply on the merge applies the reviewed plan and comments the outcome on the pull request", async () => {
    h.git("checkout", "-q", "main");
    h.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7", "feature");
    mergeSha = h.git("rev-parse", "HEAD");
    h.gh.pullsByCommit.set(mergeSha, [{ number: 7, merged_at: "2025-01-01T00:00:00Z", merge_commit_sha: mergeSha }]);

    const r = await h.runAction({ command: "apply", event: "push", sha: mergeSha });
    expectOk(r);
    expect(r.outputs["checksum"]).toBe(reviewedChecksum);
    const outcome = h.markedComments(7, APPLY_MARKER);
    expect(outcome).toHaveLength(1);
    expect(outcome[0]!.body).toContain("✅ applied");
    expect(outcome[0]!.body).toContain("| 2 | 0 | 0 |");
    expect(outcome[0]!.body).toContain("A fresh plan after the apply is empty");
    expect(h.markedComments(7).filter((c) => c.user.type === "Bot")).toHaveLength(1); // the reviewed plan stays as it was
    expect(h.em.state.list("roles").some((x) => x.name === "Finance Viewer" && x.description === "Reads invoices")).toBe(true);
    expect((h.orgPolicy("Audit access")).description).toBe("Read who can do what, change nothing");
  });

  it("apply refuses, change by change, when live changed after the review; force applies", async () => {
    h.git("checkout", "-q", "-b", "feature-2");
    h.edit("organization.yaml", "Can manage billing only", "Manages billing, nothing else");
    const head2 = h.commit("reword Billing Manager");
    const plan = await h.runAction({ command: "plan", event: "pull_request", sha: head2, payload: h.prPayload(9, mergeSha, head2) });
    expectOk(plan);
    expect(text(h.markedComments(9)[0]!.body)).toContain("Plan: 0 to create, 1 to update, 0 to delete.");

    await h.editLiveDescription("Manage billing", "changed after the review");
    h.git("checkout", "-q", "main");
    h.git("merge", "-q", "--no-ff", "-m", "Merge pull request #9", "feature-2");
    const merge2 = h.git("rev-parse", "HEAD");
    h.gh.pullsByCommit.set(merge2, [{ number: 9, merged_at: "2025-01-02T00:00:00Z", merge_commit_sha: merge2 }]);

    const refused = await h.runAction({ command: "apply", event: "push", sha: merge2 });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("::error::Refusing to apply");
    const why = h.markedComments(9, APPLY_MARKER);
    expect(why).toHaveLength(1);
    expect(why[0]!.body).toContain("⛔ refused: not the reviewed plan");
    expect(text(why[0]!.body)).toMatch(/new since the review \| ~ organization\/policies\/Manage billing\b/);
    expect(text(why[0]!.body)).not.toMatch(/Billing Manager.*since the review/);
    expect(h.em.state.list("roles").find((x) => x.name === "Billing Manager")!.description).toBe("Can manage billing only");

    const forced = await h.runAction({ command: "apply", event: "workflow_dispatch", sha: merge2, inputs: { force: "true" } });
    expectOk(forced);
    expect(h.markedComments(9, APPLY_MARKER)).toHaveLength(1);
    expect(h.markedComments(9, APPLY_MARKER)[0]!.body).toContain("✅ applied");
    expect(h.em.state.list("roles").find((x) => x.name === "Billing Manager")!.description).toBe("Manages billing, nothing else");
    mergeSha = merge2;
  });

  it("drift opens one issue, updates it, and closes it when the drift is gone", async () => {
    // Unrelated issues and a pull request (the issues list holds both) push ours past the first page.
    h.gh.issues.push({ number: 7, title: "PR", body: MARKER, state: "open", user: HUMAN, pull_request: { url: "x" } });
    for (let i = 0; i < 3; i++) h.gh.issues.push({ number: 50 + i, title: `question ${i}`, body: "hello", state: "open", user: HUMAN });
    const issuesOf = () => h.gh.issues.filter((i) => i.user.type === "Bot" && i.body.includes(MARKER));

    const clean = await h.runAction({ command: "drift", event: "schedule", sha: mergeSha });
    expectOk(clean);
    expect(clean.outputs["has-changes"]).toBe("false");
    expect(issuesOf()).toHaveLength(0);

    await h.editLiveDescription("Manage billing", "drifted once");
    const first = await h.runAction({ command: "drift", event: "schedule", sha: mergeSha });
    expectOk(first);
    expect(first.outputs["has-changes"]).toBe("true");
    expect(issuesOf()).toHaveLength(1);
    const issue = issuesOf()[0]!;
    expect(issue.state).toBe("open");
    expect(issue.title).toBe("accessctl: drift in access");
    expect(text(issue.body)).toContain("drifted once");

    await h.editLiveDescription("Audit access", "drifted twice");
    const second = await h.runAction({ command: "drift", event: "schedule", sha: mergeSha });
    expectOk(second);
    expect(issuesOf()).toHaveLength(1);
    expect(text(issuesOf()[0]!.body)).toContain("drifted twice");
    expect(text(issuesOf()[0]!.body)).toContain("Plan: 0 to create, 2 to update, 0 to delete.");

    expectOk(await h.runAction({ command: "apply", event: "workflow_dispatch", sha: mergeSha, inputs: { force: "true" } }));
    const gone = await h.runAction({ command: "drift", event: "schedule", sha: mergeSha });
    expectOk(gone);
    expect(issue.state).toBe("closed");
    expect(h.gh.commentsOn(issue.number)).toHaveLength(1);
    expect(text(h.gh.commentsOn(issue.number)[0]!.body)).toContain("No drift any more");
    expect(issuesOf().filter((i) => i.state === "open")).toHaveLength(0);
  });
});
