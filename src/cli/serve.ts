/**
 * `accessctl serve`: the emulator as a standalone HTTP server (docs/services.md#the-emulator). The URL is the
 * first line of stdout, so scripts can start it with `--port 0` and read where it listens; everything else goes
 * to stderr.
 */

import { InvalidArgumentError, type Command } from "commander";
import { startEmulator, type EmulatorOptions } from "../emulator/index.js";
import { EXIT, type ExitCode } from "../errors/exit-codes.js";
import type { CliContext } from "./context.js";
import type { SetExit } from "./program.js";

interface ServeFlags {
  port: number;
  host: string;
  state?: string;
  rbacKey: string;
  cedarKey: string;
  tenant: string;
  latencyMs?: number;
  rateLimit?: number;
  faultRate?: number;
  seed?: number;
  pageSize: number;
  log?: string;
}

function numberArg(kind: "int" | "float", min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    const ok = raw.trim() !== "" && Number.isFinite(n) && (kind === "float" || Number.isInteger(n)) && n >= min && n <= max;
    if (!ok) throw new InvalidArgumentError(`expected ${kind === "int" ? "an integer" : "a number"} in ${min}..${max}`);
    return n;
  };
}

export function registerServe(program: Command, ctx: CliContext, exit: SetExit): void {
  program
    .command("serve")
    .description("run the local emulator of both APIs (RBAC and Cedar) on one port")
    .option("--port <port>", "port to listen on (0 = any free port)", numberArg("int", 0, 65535), 4010)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--state <file>", "persist state in this JSON file (journaled next to it); default: memory only")
    .option("--rbac-key <key>", "the CONFIDENT_API_KEY the emulator accepts", "local-rbac-key")
    .option("--cedar-key <key>", "the X-API-Key the emulator accepts", "local-cedar-key")
    .option("--tenant <uuid>", "the X-Tenant-ID the emulator accepts", "00000000-0000-4000-8000-000000000001")
    .option("--latency-ms <ms>", "delay every answer by at least this long", numberArg("float", 0, 600_000))
    .option("--rate-limit <perSecond>", "answer 429 + Retry-After beyond this many requests per second", numberArg("float", 0.001, 1e9))
    .option("--fault-rate <rate>", "share of requests that fail (before or after the commit), 0..1", numberArg("float", 0, 1))
    .option("--seed <n>", "seed of the fault choice", numberArg("int", -(2 ** 53), 2 ** 53), 0)
    .option("--page-size <n>", "default limit of the Cedar list calls", numberArg("int", 1, 250), 50)
    .option("--log <file>", "append one JSON line per request to this file")
    .action(async (flags: ServeFlags) => {
      exit(await serve(flags, ctx));
    });
}

/** Runs until SIGINT or SIGTERM; the exit code once the state is compacted and the server stopped. */
async function serve(flags: ServeFlags, ctx: CliContext): Promise<ExitCode> {
  const options: EmulatorOptions = {
    port: flags.port,
    host: flags.host,
    rbacKey: flags.rbacKey,
    cedarKey: flags.cedarKey,
    tenant: flags.tenant,
    pageSize: flags.pageSize,
    ...(flags.state === undefined ? {} : { statePath: flags.state }),
    ...(flags.latencyMs === undefined ? {} : { latencyMs: flags.latencyMs }),
    ...(flags.rateLimit === undefined ? {} : { rateLimit: flags.rateLimit }),
    ...(flags.faultRate === undefined ? {} : { faultRate: flags.faultRate }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.log === undefined ? {} : { logPath: flags.log }),
  };
  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    ctx.stderr.write(`accessctl serve: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  ctx.stdout.write(`${emulator.url}\n`);
  for (const notice of emulator.notices) ctx.stderr.write(`accessctl serve: ${notice}\n`);
  ctx.stderr.write(
    `accessctl serve: RBAC API and Cedar API at ${emulator.url}${flags.state ? `, state in ${flags.state}` : " (memory only)"}; Ctrl-C to stop\n`,
  );

  // The action's promise settles only after shutdown, so a caller that exits when parsing is done cannot cut
  // the server (or its final compaction) short.
  return new Promise<ExitCode>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second Ctrl-C: the journal already holds every acknowledged write, so leaving now loses nothing.
        process.exit(130);
      }
      stopping = true;
      ctx.stderr.write(`accessctl serve: ${signal}, compacting state and stopping\n`);
      emulator.close().then(
        () => resolve(EXIT.ok),
        (error: unknown) => {
          ctx.stderr.write(`accessctl serve: shutdown failed: ${(error as Error).message}\n`);
          resolve(EXIT.error);
        },
      );
    };
    // The first SIGINT / SIGTERM (main.ts) stops the server gracefully; a second one exits at once.
    const interrupt = ctx.interrupt;
    if (interrupt) interrupt.stopStarting.addEventListener("abort", () => stop(interrupt.received ?? "SIGINT"), { once: true });
    else {
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    }
  });
}
