/**
 * The action's inputs (README.md#github-action), read through @actions/core and checked once, so every flow gets typed
 * values. Targets and keys are not inputs: they come from the environment (secrets), as for the CLI.
 */
import * as core from "@actions/core";
import { UsageError } from "../errors/user-errors.js";

export type ActionCommand = "plan" | "apply" | "drift";

export interface ActionInputs {
  command: ActionCommand;
  /** The desired-state directory, relative to the workspace, normalised: `.` or `infra/access` (no `./`, no `/` at the end). */
  path: string;
  token: string;
  comment: boolean;
  requireReviewedPlan: boolean;
  concurrency?: number;
  force: boolean;
}

const COMMANDS: readonly ActionCommand[] = ["plan", "apply", "drift"];

export function readInputs(): ActionInputs {
  const command = core.getInput("command", { required: true }).trim();
  if (!COMMANDS.includes(command as ActionCommand)) {
    throw new UsageError(`input \`command\` must be plan, apply or drift, not ${JSON.stringify(command)}`, "set `with: command: plan` (or apply, drift) in the workflow");
  }
  const token = core.getInput("github-token");
  if (token !== "") core.setSecret(token);
  const inputs: ActionInputs = {
    command: command as ActionCommand,
    path: normalizePath(core.getInput("path") || "."),
    token,
    comment: bool("comment", true),
    requireReviewedPlan: bool("require-reviewed-plan", true),
    force: bool("force", false),
  };
  const concurrency = core.getInput("concurrency").trim();
  if (concurrency !== "") {
    const n = Number(concurrency);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`input \`concurrency\` must be a whole number ≥ 1, not ${JSON.stringify(concurrency)}`);
    inputs.concurrency = n;
  }
  return inputs;
}

/** `./infra/access/` → `infra/access`; `` and `./` → `.`. Refuses paths that leave the workspace. */
export function normalizePath(raw: string): string {
  const parts: string[] = [];
  for (const seg of raw.trim().replace(/\\/g, "/").split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") throw new UsageError(`input \`path\` must stay inside the repository, not ${JSON.stringify(raw)}`);
    parts.push(seg);
  }
  if (raw.trim().startsWith("/")) throw new UsageError(`input \`path\` must be relative to the repository root, not ${JSON.stringify(raw)}`);
  return parts.length ? parts.join("/") : ".";
}

/** Booleans the YAML 1.2 core schema way (true/True/TRUE, false/False/FALSE), with a default for an empty input. */
function bool(name: string, fallback: boolean): boolean {
  const v = core.getInput(name).trim();
  if (v === "") return fallback;
  if (["true", "True", "TRUE"].includes(v)) return true;
  if (["false", "False", "FALSE"].includes(v)) return false;
  throw new UsageError(`input \`${name}\` must be true or false, not ${JSON.stringify(v)}`);
}
