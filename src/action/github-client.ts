/**
 * The GitHub REST client: Octokit with the retry and throttling plugins (secondary rate limits and 5xx are waited
 * out, a few times, then reported), pointed at `GITHUB_API_URL` (GitHub Enterprise Server, or a test's fake).
 * Only the few calls the flows need are wrapped, so the flows read as data and tests can fake them.
 */
import * as core from "@actions/core";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import type { GithubContext } from "./context.js";

export interface IssueComment {
  id: number;
  body: string;
  /** `Bot` for comments made with the workflow's token (github-actions[bot]) or a GitHub App's. */
  authorType: string;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  authorType: string;
}

export interface PullRequestRef {
  number: number;
  mergedAt: string | null;
  mergeCommitSha: string | null;
}

/** What the flows ask of GitHub. */
export interface GithubApi {
  listComments(issue: number): Promise<IssueComment[]>;
  createComment(issue: number, body: string): Promise<number>;
  updateComment(commentId: number, body: string): Promise<void>;
  listOpenIssues(): Promise<Issue[]>;
  createIssue(title: string, body: string): Promise<number>;
  updateIssue(issue: number, changes: { title?: string; body?: string; state?: "open" | "closed" }): Promise<void>;
  pullsOfCommit(sha: string): Promise<PullRequestRef[]>;
}

const RetryingOctokit = Octokit.plugin(retry, throttling);

export function createGithubApi(ctx: GithubContext, token: string): GithubApi {
  const octokit = new RetryingOctokit({
    auth: token,
    baseUrl: ctx.apiUrl,
    userAgent: "accessctl-action",
    log: { debug: () => {}, info: () => {}, warn: (m: string) => core.warning(m), error: (m: string) => core.warning(m) },
    throttle: {
      onRateLimit: (retryAfter, options, _octokit, retryCount) => {
        core.warning(`GitHub rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
        return retryCount < 2;
      },
      onSecondaryRateLimit: (retryAfter, options, _octokit, retryCount) => {
        core.warning(`GitHub secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`);
        return retryCount < 2;
      },
    },
  });
  const { owner, repo } = ctx;
  return {
    listComments: async (issue) =>
      (await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 })).map((c) => ({
        id: c.id,
        body: c.body ?? "",
        authorType: c.user?.type ?? "",
      })),
    createComment: async (issue, body) => (await octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body })).data.id,
    updateComment: async (commentId, body) => {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
    },
    listOpenIssues: async () =>
      (await octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: "open", per_page: 100 }))
        // The issues list holds pull requests too.
        .filter((i) => i.pull_request === undefined)
        .map((i) => ({ number: i.number, title: i.title, body: i.body ?? "", authorType: i.user?.type ?? "" })),
    createIssue: async (title, body) => (await octokit.rest.issues.create({ owner, repo, title, body })).data.number,
    updateIssue: async (issue, changes) => {
      await octokit.rest.issues.update({ owner, repo, issue_number: issue, ...changes, ...(changes.state === "closed" ? { state_reason: "completed" as const } : {}) });
    },
    pullsOfCommit: async (sha) =>
      (await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha, per_page: 100 })).data.map((p) => ({
        number: p.number,
        mergedAt: p.merged_at ?? null,
        mergeCommitSha: p.merge_commit_sha ?? null,
      })),
  };
}
