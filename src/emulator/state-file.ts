/**
 * Durable state: snapshot + journal + lock, next to each other (`<state>`, `<state>.journal`, `<state>.lock`).
 *
 * Start: read the snapshot (or seed), replay the journal, compact (write a fresh snapshot, empty the journal).
 * Run: every commit goes to the journal (group commit); answers wait for `waitDurable`.
 * Close: flush, compact.
 */

import { mkdir, readFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { Journal, REAL_JOURNAL_IO, StateFileError, parseJournal, type JournalIo } from "./journal.js";
import type { StateData } from "./model.js";
import { seedState } from "./seed.js";
import { acquireLock } from "./state-lock.js";
import { readSnapshot, writeSnapshot } from "./snapshot.js";
import { Store } from "./store.js";

/**
 * The file operations durability rests on. Tests replace some of them (`EmulatorOptions.stateIo`) to fail or hold
 * a journal sync, or to crash at one step of compaction; everything else uses the real ones.
 */
export interface StateIo extends JournalIo {
  /** Writes the snapshot atomically (start-up and shutdown compaction). */
  writeSnapshot(path: string, data: StateData): Promise<void>;
}

const REAL_STATE_IO: StateIo = { ...REAL_JOURNAL_IO, writeSnapshot };

export interface Durability {
  waitDurable(seq: number): Promise<void>;
  /** Set once the journal cannot be written: the server then refuses writes. */
  readonly broken: Error | undefined;
  close(): Promise<void>;
}

const MEMORY: Durability = {
  waitDurable: () => Promise.resolve(),
  broken: undefined,
  close: () => Promise.resolve(),
};

export async function openState(
  statePath: string | undefined,
  stateIo: Partial<StateIo> = {},
): Promise<{ store: Store; durability: Durability; notices: string[] }> {
  if (statePath === undefined) return { store: new Store(seedState()), durability: MEMORY, notices: [] };
  await mkdir(dirname(statePath), { recursive: true });
  const lockPath = `${statePath}.lock`;
  const takeover = await acquireLock(lockPath);
  try {
    const opened = await openLocked(statePath, lockPath, { ...REAL_STATE_IO, ...stateIo });
    if (takeover) opened.notices.unshift(takeover);
    return opened;
  } catch (error) {
    await unlink(lockPath).catch(() => undefined);
    throw error;
  }
}

async function openLocked(statePath: string, lockPath: string, io: StateIo) {
  const journalPath = `${statePath}.journal`;
  const notices: string[] = [];
  const snapshot = await readSnapshot(statePath);
  const journalText = await readFile(journalPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new StateFileError(`cannot read ${journalPath}: ${error.message}`);
  });
  if (!snapshot && journalText) {
    // The snapshot is always written before the first journal line, so this is a lost or deleted snapshot:
    // replaying onto the seed would silently drop everything the snapshot held.
    throw new StateFileError(
      `${journalPath} exists but ${statePath} does not; restore the state file, or delete the journal to start from the seed`,
    );
  }
  const store = new Store(snapshot ?? seedState());
  if (journalText) {
    const parsed = parseJournal(journalText, store.seq, journalPath);
    for (const entry of parsed.entries) store.replay(entry);
    if (parsed.tornTail) notices.push(`${journalPath}: dropped a torn last line (an unacknowledged write cut by a crash)`);
  }
  await io.writeSnapshot(statePath, store.toData());
  const journal = Journal.open(journalPath, store.seq, io);
  store.onCommit = (entry) => journal.enqueue(entry);

  let closed = false;
  const durability: Durability = {
    waitDurable: (seq) => journal.waitDurable(seq),
    get broken() {
      return journal.broken;
    },
    async close() {
      if (closed) return;
      closed = true;
      store.onCommit = undefined;
      try {
        await journal.idle();
        journal.flush();
        await io.writeSnapshot(statePath, store.toData());
        journal.reset(false);
      } finally {
        journal.close();
        await unlink(lockPath).catch(() => undefined);
      }
    },
  };
  return { store, durability, notices };
}

