#!/usr/bin/env node
/** The `accessctl` executable: the command line of program.ts, run on this process. */
import { setFlagsFromString } from "node:v8";
import { processContext } from "./context.js";

// The Cedar engine is WebAssembly. V8 tiers hot wasm functions up to its optimizing compiler after a small
// budget, and for a CLI run that compile costs more than it saves: a cold `validate` spent most of its time
// there. A larger budget keeps short runs on the baseline compiler and still optimizes the long ones (measured:
// cold validate of the quickstart 0.85 → 0.32 s CPU; validating 10,000 rules no slower). Set before any module
// that loads the engine is imported.
setFlagsFromString("--wasm-tiering-budget=100000000");

const { runCli } = await import("./program.js");
process.exitCode = await runCli(process.argv.slice(2), processContext());
