/**
 * A child-process emulator for tests that must kill it (SIGKILL durability test): `accessctl serve` through
 * the real `registerServe`, without depending on the CLI's main module. The test compiles this file's import
 * graph with tsc into dist/ and runs `node dist/test/helpers/emulator-child.js serve --port 0 --state …`
 * (no TypeScript loader is available to a plain child process on Node 20).
 */

import { Command } from "commander";
import { processContext } from "../../src/cli/context.js";
import { registerServe } from "../../src/cli/serve.js";

const program = new Command("accessctl");
registerServe(program, processContext(), (code) => (process.exitCode = code));
await program.parseAsync(process.argv);
