/** Why the Action's step failed, in the words the CLI would print: the core's `describeError`, plus GitHub's own API errors. */
import { describeError } from "../errors/describe-error.js";

/** The failed step's message: the core's description, as the CLI prints it. */
export function failureText(e: unknown, env: NodeJS.ProcessEnv): string {
  const github = githubFailure(e);
  if (github) return github;
  const d = describeError(e);
  if (d.diagnostics) return `${d.message}: see the annotations`;
  const lines = [d.message, ...(d.hint ? [`hint: ${d.hint}`] : [])];
  if (d.internal && env["ACCESSCTL_DEBUG"] === "1" && d.stack) lines.push(d.stack);
  return lines.join("\n");
}

/** Octokit's RequestError: a GitHub API call failed (often a missing `permissions:` entry in the workflow). */
function githubFailure(e: unknown): string | undefined {
  const err = e as { status?: unknown; request?: unknown; message?: unknown };
  if (typeof err?.status !== "number" || typeof err.request !== "object" || err.request === null) return undefined;
  return `GitHub API: ${String(err.message)} (status ${err.status}; check the job's \`permissions\`)`;
}
