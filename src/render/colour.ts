/**
 * The one colour module. Colour is on only for a TTY, and off for `NO_COLOR` (any non-empty value) or
 * `TERM=dumb`. Renderers take a `Palette` so they stay pure and testable.
 */

export interface Palette {
  enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const COLOUR: Palette = {
  enabled: true,
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};

const id = (s: string): string => s;
export const PLAIN: Palette = { enabled: false, red: id, green: id, yellow: id, cyan: id, bold: id, dim: id };

export function colourEnabled(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env["NO_COLOR"]) return false;
  if (env["TERM"] === "dumb") return false;
  return stream.isTTY === true;
}

export function paletteFor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): Palette {
  return colourEnabled(stream, env) ? COLOUR : PLAIN;
}
