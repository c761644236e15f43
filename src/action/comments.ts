/**
 * One comment per marker on a pull request: found by paging through every comment, updated in place, created
 * only when none exists. Only comments written by a bot (the workflow's token, or a GitHub App) count: a person
 * pasting a marker into their own comment neither hijacks the update nor fakes a reviewed checksum.
 */
import type { GithubApi, IssueComment } from "./github-client.js";

export function findMarked(comments: readonly IssueComment[], marker: string): IssueComment | undefined {
  // The last one, should there ever be several (e.g. left by an older version): it is the one last shown.
  return comments.filter((c) => c.authorType === "Bot" && c.body.includes(marker)).at(-1);
}

export async function upsertComment(api: GithubApi, issue: number, marker: string, body: string): Promise<{ id: number; created: boolean }> {
  const existing = findMarked(await api.listComments(issue), marker);
  if (existing) {
    // Updated even when unchanged: its "edited" time then says when the plan was last made.
    await api.updateComment(existing.id, body);
    return { id: existing.id, created: false };
  }
  return { id: await api.createComment(issue, body), created: true };
}
