/**
 * What the run is about, from the environment GitHub gives a JavaScript action: the event name and its JSON
 * payload (`GITHUB_EVENT_PATH`), the repository, the commit, the API URL and the run's URL. Read once, as data.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "../errors/user-errors.js";
import type { Env } from "../live/targets.js";

export interface PullRequestInfo {
  number: number;
  baseSha?: string;
  headSha?: string;
  /** The head branch lives in another repository (a fork): its runs get no secrets and a read-only token. */
  fromFork: boolean;
}

export interface GithubContext {
  eventName: string;
  owner: string;
  repo: string;
  sha: string;
  apiUrl: string;
  workspace: string;
  /** The run's page, for "the full plan is in …". */
  runUrl?: string;
  pullRequest?: PullRequestInfo;
}

interface EventPayload {
  pull_request?: {
    number?: number;
    base?: { sha?: string; repo?: { full_name?: string } };
    head?: { sha?: string; repo?: { full_name?: string; fork?: boolean } | null };
  };
}

export function readGithubContext(env: Env, cwd: string): GithubContext {
  const repository = env["GITHUB_REPOSITORY"] ?? "";
  const [owner, repo, ...rest] = repository.split("/");
  if (!owner || !repo || rest.length > 0) {
    throw new UsageError(`GITHUB_REPOSITORY must be owner/name, not ${JSON.stringify(repository)}`, "run the action inside a GitHub Actions workflow");
  }
  const ctx: GithubContext = {
    eventName: env["GITHUB_EVENT_NAME"] ?? "",
    owner,
    repo,
    sha: env["GITHUB_SHA"] ?? "",
    apiUrl: (env["GITHUB_API_URL"] || "https://api.github.com").replace(/\/+$/, ""),
    workspace: env["GITHUB_WORKSPACE"] || cwd,
  };
  const server = env["GITHUB_SERVER_URL"];
  const runId = env["GITHUB_RUN_ID"];
  if (server && runId) ctx.runUrl = `${server.replace(/\/+$/, "")}/${repository}/actions/runs/${runId}`;
  const pr = readPayload(env["GITHUB_EVENT_PATH"]).pull_request;
  if (pr && typeof pr.number === "number") {
    const headRepo = pr.head?.repo;
    const info: PullRequestInfo = {
      number: pr.number,
      // A deleted fork has no head repository: treat it as a fork (no secrets, read-only token).
      fromFork: headRepo === null || headRepo?.fork === true || (headRepo?.full_name !== undefined && pr.base?.repo?.full_name !== undefined && headRepo.full_name !== pr.base.repo.full_name),
    };
    if (pr.base?.sha) info.baseSha = pr.base.sha;
    if (pr.head?.sha) info.headSha = pr.head.sha;
    ctx.pullRequest = info;
  }
  return ctx;
}

function readPayload(path: string | undefined): EventPayload {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as EventPayload;
  } catch (e) {
    throw new UsageError(`cannot read the event payload ${path}: ${(e as Error).message}`);
  }
}
