/**
 * "Still working" lines: while a long read or write is under way, a line on stderr at least every 5 s — on a
 * terminal and off it (plain lines in CI logs) — so a slow service never looks like a hung tool. Only when the
 * command itself has said nothing for that long.
 */
import type { CliIo } from "./context.js";

const HEARTBEAT_MS = 5_000;

/** Runs `fn`; while it runs, writes `describe()` whenever stderr has been quiet for `everyMs`. */
export async function withHeartbeat<T>(io: CliIo, describe: () => string, fn: () => Promise<T>, everyMs = HEARTBEAT_MS): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - io.lastErrAt() >= everyMs - 50) io.err(`… ${describe()} (${Math.round((Date.now() - started) / 1000)} s)`);
  }, Math.max(100, Math.floor(everyMs / 5)));
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/** What a session is doing, in words: `12 requests answered, 8 waiting (the longest for 14 s)`. */
export function requestsLine(activity: { ended: number; waiting: number; longestMs: number }): string {
  const waiting = activity.waiting === 0 ? "" : `, ${activity.waiting} waiting (the longest for ${Math.round(activity.longestMs / 1000)} s)`;
  return `${activity.ended} request(s) answered${waiting}`;
}
