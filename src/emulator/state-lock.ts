/**
 * One process per state file: two writers would interleave journals. The lock file names its holder — pid and
 * the process's start time (Linux: /proc/<pid>/stat) — so a lock whose holder is gone is
 * recognised and taken over with a notice: a process that no longer runs, a zombie, or a pid since reused by
 * another process (same pid, other start time). A live holder is named, with the lock file's path.
 */
import { readFileSync } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
import { StateFileError } from "./journal.js";

interface Holder {
  pid: number;
  /** Clock ticks since boot at which the process started (Linux); absent elsewhere. */
  start?: number;
}

/** Takes the lock; returns a notice when a stale lock was taken over. */
export async function acquireLock(lockPath: string): Promise<string | undefined> {
  let notice: string | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(lockPath, "wx");
      const me: Holder = { pid: process.pid, ...startOf(process.pid) };
      await fh.writeFile(JSON.stringify(me) + "\n");
      await fh.close();
      return notice;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") {
        throw new StateFileError(`${lockPath}: cannot create the lock file (${code ?? (error as Error).message}); check the directory exists and is writable`);
      }
    }
    const holder = parseHolder(await readFile(lockPath, "utf8").catch(() => ""));
    if (holder?.pid === process.pid && holder.start === startOf(process.pid).start) {
      throw new StateFileError(`${lockPath}: this process already serves this state file`);
    }
    const gone = holder === undefined ? "an unreadable lock file" : whyGone(holder);
    if (gone === undefined) {
      throw new StateFileError(`${lockPath}: the state is in use by process ${holder!.pid}; stop that process first (or, if it is not accessctl, delete ${lockPath})`);
    }
    notice = `took over ${lockPath}: its holder is gone (${gone})`;
    await unlink(lockPath).catch(() => undefined);
  }
  // Lost a race with another starter twice in a row: report rather than spin.
  throw new StateFileError(`${lockPath}: another process is starting on this state file; try again`);
}

/** Holders written as JSON, and the bare pid of older versions. */
function parseHolder(text: string): Holder | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed) };
  try {
    const v = JSON.parse(trimmed) as Partial<Holder>;
    if (typeof v.pid !== "number" || !Number.isInteger(v.pid) || v.pid <= 0) return undefined;
    return { pid: v.pid, ...(typeof v.start === "number" ? { start: v.start } : {}) };
  } catch {
    return undefined;
  }
}

/** Why the holder no longer holds the lock, or undefined while it does. */
function whyGone(holder: Holder): string | undefined {
  if (!isRunning(holder.pid)) return `process ${holder.pid} is not running`;
  const stat = procStat(holder.pid);
  if (stat?.state === "Z") return `process ${holder.pid} is a zombie`;
  if (holder.start !== undefined && stat !== undefined && stat.start !== holder.start) return `pid ${holder.pid} now belongs to another process`;
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function startOf(pid: number): { start?: number } {
  const start = procStat(pid)?.start;
  return start === undefined ? {} : { start };
}

/** State and start time from /proc/<pid>/stat (Linux); undefined where there is no /proc. */
function procStat(pid: number): { state: string; start: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: the fields after the last ')' are fixed.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = rest[0];
  const start = Number(rest[19]); // field 22 overall: starttime
  return state === undefined || !Number.isFinite(start) ? undefined : { state, start };
}
