/**
 * What was reviewed: the merged pull request of a commit (commit → pulls), and the checksum (and change digest)
 * last shown in its plan comment for this path.
 */
import { findMarked } from "./comments.js";
import type { GithubApi, PullRequestRef } from "./github-client.js";
import type { Review } from "../flow/review.js";
import { pathMarker, readChanges, readChecksum, readTargets } from "./markers.js";

/** The pull request this commit merged: the one whose merge commit it is, else any merged one that holds it. */
export async function findMergedPullRequest(api: GithubApi, sha: string): Promise<PullRequestRef | undefined> {
  const pulls = (await api.pullsOfCommit(sha)).filter((p) => p.mergedAt !== null);
  return pulls.find((p) => p.mergeCommitSha === sha) ?? pulls.at(0);
}

/** The review recorded in the pull request's plan comment for this path; undefined without a comment and checksum. */
export async function readReview(api: GithubApi, prNumber: number, path: string): Promise<Review | undefined> {
  const comment = findMarked(await api.listComments(prNumber), pathMarker(path));
  const checksum = comment ? readChecksum(comment.body) : undefined;
  if (!comment || !checksum) return undefined;
  const changes = readChanges(comment.body);
  const targets = readTargets(comment.body);
  return { checksum, ...(changes ? { changes } : {}), ...(targets ? { targets } : {}) };
}
