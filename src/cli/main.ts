#!/usr/bin/env node
/** The `accessctl` executable: the command line of program.ts, run on this process. */
import { setFlagsFromString } from "node:v8";
import { ENGINE_V8_FLAGS } from "../cedar/engine-flags.js";
import { EXIT } from "../errors/exit-codes.js";
import { processContext } from "./context.js";

// Set before any module that loads the Cedar engine is imported (why: src/cedar/engine-flags.ts).
setFlagsFromString(ENGINE_V8_FLAGS);

const [{ runCli }, { Interrupt }] = await Promise.all([import("./program.js"), import("../flow/interrupt.js")]);

// The first SIGINT / SIGTERM lets the command stop cleanly (apply: nothing new starts, the report is printed);
// a second one exits at once. Every acknowledged write is already durable on the service's side.
const interrupt = new Interrupt();
const onSignal = (signal: "SIGINT" | "SIGTERM"): void => {
  if (interrupt.received !== undefined) process.exit(signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm);
  process.stderr.write(`\naccessctl: ${signal} received: stopping (press Ctrl-C again to exit at once)\n`);
  interrupt.receive(signal);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
process.exitCode = await runCli(process.argv.slice(2), processContext(interrupt));
process.off("SIGINT", onSignal);
process.off("SIGTERM", onSignal);
