/**
 * The action's outputs (`has-changes`, `checksum`, `plan-file`, `summary`), the saved plan file (for
 * `actions/upload-artifact`), and the job summary.
 */
import * as core from "@actions/core";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Env } from "../live/targets.js";
import type { Plan } from "../plan/model.js";
import { isEmpty } from "../plan/summary.js";
import { closingLine } from "../render/plan-text.js";

/** The job summary takes up to 1 MiB per step; the Markdown plan gets most of it. */
export const SUMMARY_LIMIT = 900_000;

/** Writes the plan JSON (redacted, as `plan --out` does) under RUNNER_TEMP; returns its path. */
export function writePlanFile(plan: Plan, path: string, env: Env, redact: (s: string) => string): string {
  const dir = join(env["RUNNER_TEMP"] || tmpdir(), "accessctl");
  mkdirSync(dir, { recursive: true });
  const slug = path === "." ? "root" : path.replace(/[^A-Za-z0-9._-]+/g, "-");
  const file = join(dir, `plan-${slug}.json`);
  writeFileSync(file, redact(JSON.stringify(plan, null, 2)) + "\n");
  return file;
}

export function setPlanOutputs(plan: Plan, planFile: string): void {
  core.setOutput("has-changes", isEmpty(plan.summary) ? "false" : "true");
  core.setOutput("checksum", plan.checksum);
  core.setOutput("plan-file", planFile);
  core.setOutput("summary", closingLine(plan));
}

/** No plan was made (validation only, or invalid files): say so in the outputs rather than leave them unset. */
export function setNoPlanOutputs(summary: string): void {
  core.setOutput("has-changes", "false");
  core.setOutput("checksum", "");
  core.setOutput("plan-file", "");
  core.setOutput("summary", summary);
}

export async function writeJobSummary(markdown: string, redact: (s: string) => string): Promise<void> {
  if (!process.env["GITHUB_STEP_SUMMARY"]) {
    core.info(redact(markdown));
    return;
  }
  await core.summary.addRaw(redact(markdown), true).write();
}
