/**
 * What a command may touch of the outside world, passed in so commands run in-process and stay testable:
 * streams, environment, working directory, and whether a person is at the terminal. `io(ctx)` gives a command
 * its writers: everything written passes through the run's redaction (keys never reach any output).
 */
import type { Interrupt } from "../flow/interrupt.js";
import { redactor } from "../live/redact.js";
import { secretsFromEnv } from "../live/targets.js";
import { paletteFor, type Palette } from "../render/colour.js";

export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** SIGINT / SIGTERM of this run (main.ts feeds it from the process); absent in-process unless a test gives one. */
  interrupt?: Interrupt;
}

export function processContext(interrupt?: Interrupt): CliContext {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd(), ...(interrupt ? { interrupt } : {}) };
}

export interface CliIo {
  ctx: CliContext;
  /** A line (or lines) on stdout, redacted. */
  out(text: string): void;
  /** A line (or lines) on stderr, redacted. */
  err(text: string): void;
  outPalette: Palette;
  errPalette: Palette;
  redact: (text: string) => string;
  /** Text on stderr as it is (a terminal's live progress line), redacted. */
  errRaw(text: string): void;
  /** When stderr was last written (ms since the epoch), for "still working" lines. */
  lastErrAt(): number;
}

export function io(ctx: CliContext): CliIo {
  const redact = redactor(secretsFromEnv(ctx.env));
  const line = (text: string): string => {
    const clean = redact(text);
    return clean.endsWith("\n") ? clean : clean + "\n";
  };
  let lastErr = Date.now();
  return {
    ctx,
    out: (text) => void ctx.stdout.write(line(text)),
    err: (text) => {
      lastErr = Date.now();
      ctx.stderr.write(line(text));
    },
    errRaw: (text) => {
      lastErr = Date.now();
      ctx.stderr.write(redact(text));
    },
    lastErrAt: () => lastErr,
    outPalette: paletteFor(ctx.stdout, ctx.env),
    errPalette: paletteFor(ctx.stderr, ctx.env),
    redact,
  };
}
