#!/usr/bin/env node
/**
 * The `accessctl` command line: parses argv and hands each command to its module. Thin by design: every command
 * is `argv → core call → exit code`. Only the invoked command's module is loaded (the HTTP stack and the emulator
 * cost a cold `validate` nothing); help and unknown commands load them all.
 */
import { setFlagsFromString } from "node:v8";
import { Command, CommanderError } from "commander";
import { processContext, type CliContext } from "./context.js";

// The Cedar engine is WebAssembly. V8 tiers hot wasm functions up to its optimizing compiler after a small
// budget, and for a CLI run that compile costs more than it saves: a cold `validate` spent most of its time
// there. A larger budget keeps short runs on the baseline compiler and still optimizes the long ones (measured:
// cold validate of the quickstart 0.85 → 0.32 s CPU; validating 10,000 rules no slower). Set before any module
// that loads the engine is imported.
setFlagsFromString("--wasm-tiering-budget=100000000");

type Register = (program: Command, ctx: CliContext) => void;

const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import("./validate.js")).registerValidate,
  test: async () => (await import("./test.js")).registerTest,
  plan: async () => (await import("./plan.js")).registerPlan,
  apply: async () => (await import("./apply.js")).registerApply,
  export: async () => (await import("./export.js")).registerExport,
  serve: async () => {
    const { registerServe } = await import("./serve.js");
    return (program) => registerServe(program);
  },
};

export async function buildProgram(argv: readonly string[], ctx: CliContext): Promise<Command> {
  const program = new Command("accessctl")
    .description("Access control as code: validate, plan and apply roles, policies and Cedar rules")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  const name = argv.slice(2).find((a) => !a.startsWith("-"));
  const wanted = name !== undefined && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((n) => COMMANDS[n]!()))) register(program, ctx);
  return program;
}

async function main(): Promise<void> {
  const program = await buildProgram(process.argv, processContext());
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
