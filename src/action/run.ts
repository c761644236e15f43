/**
 * One action run: inputs, GitHub context, environment and redaction, shared by the three flows; and the
 * dispatch on `command` (the command decides what runs; the event only supplies context).
 */
import * as core from "@actions/core";
import { basename } from "node:path";
import { InvalidDesiredStateError } from "../errors/user-errors.js";
import { Interrupt } from "../flow/interrupt.js";
import { redactor } from "../live/redact.js";
import { secretsFromEnv, type Env } from "../live/targets.js";
import { escapeMarkdown } from "../render/plan-markdown.js";
import { annotate } from "./annotations.js";
import { readGithubContext, type GithubContext } from "./context.js";
import { createGithubApi, type GithubApi } from "./github-client.js";
import type { ActionInputs } from "./inputs.js";
import { diagnosticsMarkdown } from "./plan-comment.js";
import { setNoPlanOutputs, writeJobSummary } from "./outputs.js";

export interface ActionRun {
  inputs: ActionInputs;
  github: GithubContext;
  env: Env;
  cwd: string;
  redact: (s: string) => string;
  /** The GitHub client, made on first use (validation-only runs never need it). */
  api(): GithubApi;
  /** The job's cancellation: SIGINT, then SIGTERM (docs/exit-codes.md, "Interrupts"). */
  interrupt: Interrupt;
  /** "the job summary of <run> and the plan-file artifact (<name>)", for cut comments. */
  fullPlanAt(planFile?: string): string;
}

export function createRun(inputs: ActionInputs, env: Env, cwd: string, interrupt = new Interrupt()): ActionRun {
  const secrets = secretsFromEnv(env);
  for (const s of secrets) core.setSecret(s);
  const redact = redactor(inputs.token ? [...secrets, inputs.token] : secrets);
  const github = readGithubContext(env, cwd);
  let api: GithubApi | undefined;
  return {
    inputs,
    github,
    env,
    cwd,
    redact,
    interrupt,
    api: () => (api ??= createGithubApi(github, inputs.token)),
    fullPlanAt: (planFile) =>
      `the job summary of ${github.runUrl ?? "this workflow run"}${planFile ? ` and the plan-file output (${basename(planFile)}; upload it with actions/upload-artifact)` : ""}`,
  };
}

/** The files are invalid: annotations on the files, the list in the job summary, outputs saying so. */
export async function reportInvalid(run: ActionRun, error: InvalidDesiredStateError, heading: string): Promise<string> {
  annotate(error.diagnostics, run.redact);
  const list = diagnosticsMarkdown(error.diagnostics, "the annotations of this run");
  await writeJobSummary(`### ${heading}: ${escapeMarkdown(run.inputs.path)}\n\n❌ The desired state is invalid; nothing was planned or written.\n\n${list}`, run.redact);
  setNoPlanOutputs(`The desired state is invalid (${error.diagnostics.filter((d) => d.severity === "error").length} error(s)).`);
  return list;
}
