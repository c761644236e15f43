#!/usr/bin/env node
/**
 * The `accessctl` command line: parses argv and hands each command to its module. Thin by design: every command
 * is `argv → core call → exit code`.
 */
import { Command, CommanderError } from "commander";
import { processContext } from "./context.js";
import { registerApply } from "./apply.js";
import { registerExport } from "./export.js";
import { registerPlan } from "./plan.js";
import { registerServe } from "./serve.js";
import { registerTest } from "./test.js";
import { registerValidate } from "./validate.js";

export function buildProgram(): Command {
  const program = new Command("accessctl")
    .description("Access control as code: validate, plan and apply roles, policies and Cedar rules")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  const ctx = processContext();
  registerValidate(program, ctx);
  registerTest(program, ctx);
  registerPlan(program, ctx);
  registerApply(program, ctx);
  registerExport(program, ctx);
  registerServe(program);
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every usage problem (bad flag, missing argument) is exit 1.
      process.exitCode = e.exitCode === 0 ? 0 : 1;
      return;
    }
    throw e;
  }
}

await main();
