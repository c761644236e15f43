/** Option parsers shared by commands. */
import { InvalidArgumentError } from "commander";

/** For repeatable options: `--only a --only b` → ["a", "b"]. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}
