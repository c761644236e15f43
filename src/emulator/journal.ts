/**
 * The write-ahead journal: one JSON line per group commit, appended and fsynced before any write of the batch is
 * acknowledged.
 *
 * Group commit: commits arriving while an append+fsync is in flight wait in `pending`; when the fsync returns,
 * all of them go out as ONE line in ONE append+fsync. A lone sequential writer pays one fsync per write (well
 * under a millisecond here), a burst of 200 concurrent writers pays a handful.
 *
 * Line format: `{"s": firstSeq, "e": lastSeq, "n": counter, "c": [changes…]}`. A batch is one line because a
 * torn write can then only ever damage the LAST line (JSON.stringify never emits a raw newline, so the only
 * "\n" of a batch is its final byte): see `parseJournal`.
 */

import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { COLLECTION_NAMES, type Change } from "./model.js";
import type { CommitEntry } from "./store.js";

export class StateFileError extends Error {
  override readonly name = "StateFileError";
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class Journal {
  private pending: CommitEntry[] = [];
  private waiters: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private durableSeq: number;
  private failure: Error | undefined;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    durableSeq: number,
    /** With O_DSYNC every write returns only once its data is on disk: one syscall (one thread-pool hop) per batch instead of write + fdatasync. */
    private readonly syncOnWrite: boolean,
  ) {
    this.durableSeq = durableSeq;
  }

  static async open(path: string, durableSeq: number): Promise<Journal> {
    const dsync = constants.O_DSYNC;
    if (typeof dsync === "number" && dsync !== 0) {
      const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | dsync;
      return new Journal(await open(path, flags, 0o644), path, durableSeq, true);
    }
    return new Journal(await open(path, "a"), path, durableSeq, false);
  }

  enqueue(entry: CommitEntry): void {
    this.pending.push(entry);
    if (!this.writing) this.writing = this.drain();
  }

  /** Resolves once every commit up to `seq` is on disk; rejects if the journal cannot be written. */
  waitDurable(seq: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (seq <= this.durableSeq) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  get broken(): Error | undefined {
    return this.failure;
  }

  /** Waits for everything enqueued so far (used before compaction and on close). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failure) throw this.failure;
  }

  /** Empties the journal once a snapshot holds everything (compaction). */
  async truncate(): Promise<void> {
    await this.flush();
    await this.fh.truncate(0);
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.fh.close();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.failure) {
        const batch = this.pending;
        this.pending = [];
        const first = batch[0];
        const last = batch[batch.length - 1];
        if (!first || !last) break;
        const line = JSON.stringify({ s: first.seq, e: last.seq, n: last.counter, c: batch.flatMap((b) => b.changes) });
        try {
          const bytes = Buffer.from(`${line}\n`);
          const { bytesWritten } = await this.fh.write(bytes, 0, bytes.length);
          // A short write (disk full) would leave half a line that the next batch would follow: stop instead.
          if (bytesWritten !== bytes.length) throw new Error(`short write (${bytesWritten} of ${bytes.length} bytes)`);
          // datasync: the file's size is metadata it does flush, which an append needs; mtime it may skip.
          if (!this.syncOnWrite) await this.fh.datasync();
        } catch (error) {
          // The in-memory state is now ahead of the disk and cannot be trusted to match it: fail every waiter and
          // every later write (the HTTP layer answers 503), rather than acknowledge what is not durable.
          this.failure = new StateFileError(`cannot write the journal ${this.path}: ${(error as Error).message}`);
          break;
        }
        this.durableSeq = last.seq;
        this.settle();
      }
    } finally {
      this.writing = undefined;
      if (this.failure) this.settle();
    }
  }

  private settle(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.failure) w.reject(this.failure);
      else if (w.seq <= this.durableSeq) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}

export interface ParsedJournal {
  entries: CommitEntry[];
  /** Set when the last line was torn by a crash mid-append and dropped. */
  tornTail: boolean;
}

/**
 * Reads a journal against the snapshot's sequence number.
 *
 * The one tolerated defect is a torn LAST line. Why that is safe: a batch is acknowledged only after its whole
 * line and the fsync completed, and batches are written one at a time, so a crash mid-append can only damage the
 * last line, whose writes no client saw acknowledged. Anything else that does not parse or does not follow on
 * (a bad line before the last, a gap in sequence numbers) means the file was damaged or edited: that is a
 * startup error, never silently repaired, since replaying past it would lose acknowledged writes.
 */
export function parseJournal(text: string, snapshotSeq: number, path: string): ParsedJournal {
  const lines = text.split("\n");
  // Whatever follows the last "\n" is a line whose append did not finish.
  const trailing = lines.pop() ?? "";
  let tornTail = trailing.length > 0;
  const entries: CommitEntry[] = [];
  let expected = snapshotSeq + 1;
  for (let i = 0; i < lines.length; i++) {
    const lineText = lines[i] ?? "";
    const isLastLine = i === lines.length - 1 && !tornTail;
    let parsed: unknown;
    try {
      parsed = JSON.parse(lineText);
    } catch {
      if (isLastLine) {
        tornTail = true;
        break;
      }
      throw new StateFileError(`${path}:${i + 1}: corrupt journal line (not JSON); the state cannot be restored safely`);
    }
    const entry = toEntry(parsed);
    if (!entry) {
      throw new StateFileError(`${path}:${i + 1}: corrupt journal line (not a journal record)`);
    }
    if (entry.last <= snapshotSeq) continue; // already in the snapshot (crash between snapshot and truncation)
    if (entry.first !== expected) {
      throw new StateFileError(
        `${path}:${i + 1}: journal sequence gap (expected ${expected}, found ${entry.first}); acknowledged writes would be lost`,
      );
    }
    expected = entry.last + 1;
    entries.push({ seq: entry.last, counter: entry.counter, changes: entry.changes });
  }
  return { entries, tornTail };
}

function toEntry(value: unknown): { first: number; last: number; counter: number; changes: Change[] } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const { s, e, n, c } = v;
  if (!Number.isInteger(s) || !Number.isInteger(e) || !Number.isInteger(n) || !Array.isArray(c)) return undefined;
  if ((s as number) > (e as number)) return undefined;
  for (const change of c) if (!isChange(change)) return undefined;
  return { first: s as number, last: e as number, counter: n as number, changes: c as Change[] };
}

function isChange(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const ch = value as Record<string, unknown>;
  if (!COLLECTION_NAMES.includes(ch.c as never)) return false;
  if (ch.op === "del") return typeof ch.id === "string";
  if (ch.op !== "put" || typeof ch.v !== "object" || ch.v === null) return false;
  return typeof (ch.v as Record<string, unknown>).id === "string";
}
