/**
 * The command line as a function: argv and a context in, an exit code out. `main.ts` runs it on the process;
 * tests run it in-process. Only the invoked command's module is loaded (the HTTP stack and the emulator cost a
 * cold `validate` nothing); help and unknown commands load them all. No command writes `process.exitCode`.
 */
import { Command, CommanderError } from "commander";
import { EXIT, type ExitCode } from "../errors/exit-codes.js";
import type { CliContext } from "./context.js";

/** How a command hands back its exit code. */
export type SetExit = (code: ExitCode) => void;
export type Register = (program: Command, ctx: CliContext, exit: SetExit) => void;

const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import("./validate.js")).registerValidate,
  test: async () => (await import("./test.js")).registerTest,
  plan: async () => (await import("./plan.js")).registerPlan,
  apply: async () => (await import("./apply.js")).registerApply,
  export: async () => (await import("./export.js")).registerExport,
  explain: async () => (await import("./explain.js")).registerExplain,
  serve: async () => (await import("./serve.js")).registerServe,
};

export const VERSION = "0.1.0";

/** Runs one command line (`argv` without the node and script paths) and returns its exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command("accessctl")
    .description("Access control as code: validate, plan and apply roles, policies and Cedar rules")
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => void ctx.stdout.write(s), writeErr: (s) => void ctx.stderr.write(s) })
    .exitOverride();
  const name = argv.find((a) => !a.startsWith("-"));
  const wanted = name !== undefined && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((n) => COMMANDS[n]!()))) register(program, ctx, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    // Help and version exit 0; every usage problem (bad flag, missing argument) is exit 1.
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.error;
    throw e;
  }
  return code;
}
