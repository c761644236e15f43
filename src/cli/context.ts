/**
 * What a command may touch of the outside world, passed in so commands stay testable: streams, environment,
 * working directory, and whether a person is at the terminal.
 */
import { paletteFor, type Palette } from "../render/colour.js";

export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export function processContext(): CliContext {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

export function outPalette(ctx: CliContext): Palette {
  return paletteFor(ctx.stdout, ctx.env);
}

export function errPalette(ctx: CliContext): Palette {
  return paletteFor(ctx.stderr, ctx.env);
}

export function writeOut(ctx: CliContext, text: string): void {
  ctx.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

export function writeErr(ctx: CliContext, text: string): void {
  ctx.stderr.write(text.endsWith("\n") ? text : text + "\n");
}
