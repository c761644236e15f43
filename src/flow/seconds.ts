/**
 * A request timeout in seconds as written (`--timeout`, ACCESSCTL_TIMEOUT), in whole milliseconds — undici counts
 * in milliseconds and refuses less than one, which would surface later as a wrong "stopped answering". Otherwise
 * what it should be, completing "expected …" or "… is not …". A module of its own so that the CLI's option
 * parsers can use it without loading the HTTP stack.
 */
export function parseSeconds(raw: string): { ms: number } | { wanted: string } {
  const seconds = raw.trim() === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) return { wanted: "a number of seconds greater than 0" };
  if (seconds * 1000 < 1) return { wanted: "a number of seconds of at least 0.001 (1 ms, the shortest timeout)" };
  return { ms: Math.round(seconds * 1000) };
}
