/**
 * The drift issue: one open issue per desired-state path, found by its marker. Drift opens it (or updates its
 * body with the latest plan); no drift comments on it and closes it.
 */
import type { GithubApi } from "./github-client.js";
import { pathMarker } from "./markers.js";

export type DriftIssueOutcome = { action: "opened" | "updated" | "closed"; number: number } | { action: "none" };

export async function reportDrift(api: GithubApi, path: string, body: string | undefined, goneComment: string): Promise<DriftIssueOutcome> {
  const marker = pathMarker(path);
  const open = (await api.listOpenIssues()).filter((i) => i.authorType === "Bot" && i.body.includes(marker));
  const issue = open.at(0);
  if (body === undefined) {
    if (!issue) return { action: "none" };
    for (const i of open) {
      await api.createComment(i.number, goneComment);
      await api.updateIssue(i.number, { state: "closed" });
    }
    return { action: "closed", number: issue.number };
  }
  const title = `accessctl: drift in ${path === "." ? "the desired state" : path}`;
  if (issue) {
    await api.updateIssue(issue.number, { title, body });
    return { action: "updated", number: issue.number };
  }
  return { action: "opened", number: await api.createIssue(title, body) };
}
