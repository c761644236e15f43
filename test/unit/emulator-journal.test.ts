/**
 * The journal's promises, made deterministic with the emulator's `stateIo` seam instead of a racy kill:
 * - each acknowledged batch was synced: a failing sync means no 2xx for the writes of that batch;
 * - no answer leaves before its write is durable: with the sync held pending, the answer waits for its release;
 * - a crash between the snapshot write and the journal truncation (at shutdown or at start-up) replays cleanly.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { fdatasyncSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorHandle, type StateIo } from "../../src/emulator/index.js";
import { writeSnapshot } from "../../src/emulator/snapshot.js";
import { cedarCaller, rbacCaller, type Answer } from "../helpers/emulator-client.js";

let dir: string;
let n = 0;
const statePath = () => join(dir, `state-${++n}`, "emulator.json");

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "accessctl-emulator-journal-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const acknowledged = (a: Answer) => a.status >= 200 && a.status < 300;
/** One turn of the event loop: every microtask queued so far (a premature answer included) has run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await turn();
}
const createPolicy = (url: string, name: string) => rbacCaller(url)("POST", "/v1/organization/policies", { name, permissionIds: [] });
const policyNames = (em: EmulatorHandle) => em.state.list("policies").map((p) => p.name);

/** A request whose answer is watched: `answered` flips when the client has it. */
function track(answer: Promise<Answer>): { answer: Promise<Answer>; readonly answered: boolean } {
  let answered = false;
  const watched = answer.then((a) => {
    answered = true;
    return a;
  });
  return {
    answer: watched,
    get answered() {
      return answered;
    },
  };
}

describe("journal sync: a batch is acknowledged only once it is synced", () => {
  it("a passing sync acknowledges; a failing sync answers no 2xx for its writes, nor for any write after", async () => {
    const path = statePath();
    const events: string[] = [];
    let failing = false;
    const syncBatch = (fd: number) => {
      events.push(failing ? "sync fails" : "sync");
      if (failing) throw new Error("EIO: injected sync failure");
      fdatasyncSync(fd);
    };
    const em = await startEmulator({ port: 0, statePath: path, stateIo: { syncBatch } });
    try {
      const first = await createPolicy(em.url, "synced");
      events.push(`answer ${first.status}`);
      expect(first.status).toBe(200);
      // The answer came after exactly one batch sync: the write's own.
      expect(events).toEqual(["sync", "answer 200"]);

      failing = true;
      const batch = await Promise.all([createPolicy(em.url, "lost-1"), createPolicy(em.url, "lost-2")]);
      expect(events.filter((e) => e === "sync fails")).toHaveLength(1);
      for (const a of batch) {
        expect(acknowledged(a)).toBe(false);
        expect(a.status).toBe(503);
        expect(a.body.error).toMatch(/cannot write the journal.*EIO: injected sync failure/);
      }
      // The journal is broken for good: a later write is refused too, without another sync.
      failing = false;
      const later = await createPolicy(em.url, "after");
      expect(later.status).toBe(503);
      expect(events.filter((e) => e.startsWith("sync"))).toHaveLength(2);
    } finally {
      // Closing a broken journal refuses to compact over it: the rejection is expected here.
      await em.close().catch(() => undefined);
    }

    // What was acknowledged is on disk.
    const again = await startEmulator({ port: 0, statePath: path });
    try {
      expect(policyNames(again)).toContain("synced");
    } finally {
      await again.close();
    }
  });
});

/** A batch sync the test holds pending, then releases (after a real fdatasync) or fails. */
interface HeldSync {
  release(): void;
  fail(error: Error): void;
}

function heldSyncs(): { syncBatch: StateIo["syncBatch"]; held: HeldSync[] } {
  const held: HeldSync[] = [];
  const syncBatch = (fd: number) =>
    new Promise<void>((resolve, reject) => {
      held.push({
        release: () => {
          fdatasyncSync(fd);
          resolve();
        },
        fail: reject,
      });
    });
  return { syncBatch, held };
}

describe("no answer leaves before its write is durable", () => {
  it("while a batch's sync is held, its write is committed but not answered; the next batch waits its turn", async () => {
    const path = statePath();
    const { syncBatch, held } = heldSyncs();
    const em = await startEmulator({ port: 0, statePath: path, stateIo: { syncBatch } });
    try {
      const a = track(createPolicy(em.url, "A"));
      await until(() => held.length === 1);
      await turn();
      // Committed in memory, on its way to disk, and nobody has been told.
      expect(policyNames(em)).toContain("A");
      expect(em.requestLog).toEqual([]);
      expect(a.answered).toBe(false);

      // A second write while the first sync is in flight: committed, but its batch is not even written yet.
      const b = track(createPolicy(em.url, "B"));
      await until(() => policyNames(em).includes("B"));
      await turn();
      expect(held).toHaveLength(1);
      expect(em.requestLog).toEqual([]);
      expect(b.answered).toBe(false);

      held[0]!.release();
      expect((await a.answer).status).toBe(200);
      // A's release starts B's batch; B still waits for its own sync.
      await until(() => held.length === 2);
      await turn();
      expect(em.requestLog.map((e) => `${e.method} ${e.status}`)).toEqual(["POST 200"]);
      expect(b.answered).toBe(false);

      held[1]!.release();
      expect((await b.answer).status).toBe(200);
    } finally {
      for (const h of held) h.release();
      await em.close();
    }
    const again = await startEmulator({ port: 0, statePath: path });
    try {
      expect(policyNames(again)).toEqual(expect.arrayContaining(["A", "B"]));
    } finally {
      await again.close();
    }
  });

  it("a held sync that then fails: its write is never acknowledged", async () => {
    const { syncBatch, held } = heldSyncs();
    const em = await startEmulator({ port: 0, statePath: statePath(), stateIo: { syncBatch } });
    try {
      const a = track(createPolicy(em.url, "A"));
      await until(() => held.length === 1);
      await turn();
      expect(a.answered).toBe(false);
      held[0]!.fail(new Error("EIO: injected"));
      const answer = await a.answer;
      expect(answer.status).toBe(503);
      expect(answer.body.error).toMatch(/cannot write the journal.*EIO: injected/);
    } finally {
      await em.close().catch(() => undefined);
    }
  });
});

/** A few writes of every kind (creates, an update, a delete; RBAC and Cedar). */
async function populate(url: string): Promise<void> {
  const rbac = rbacCaller(url);
  const cedar = cedarCaller(url);
  const perms = (await rbac("GET", "/v1/organization/permissions")).body.data.permissions;
  const pol = (await rbac("POST", "/v1/organization/policies", { name: "P", permissionIds: [perms[0].id] })).body.data.policy;
  await rbac("POST", "/v1/organization/roles", { name: "R", policyIds: [pol.id] });
  await rbac("PUT", `/v1/organization/policies/${pol.id}`, { name: "P2", permissionIds: [perms[1].id], description: "d" });
  const gone = (await rbac("POST", "/v1/organization/policies", { name: "gone", permissionIds: [] })).body.data.policy;
  await rbac("DELETE", `/v1/organization/policies/${gone.id}`);
  const cp = (await cedar("POST", "/v1/policies", { name: "C", max_duration_seconds: 60 })).body;
  await cedar("POST", `/v1/policies/${cp.id}/rules`, { effect: "forbid", conditions: "unless { context has ticket }" });
}

const CRASH = "injected crash";
const crash = () => {
  throw new Error(CRASH);
};

/** The journal's batches (NUL preallocation dropped), and the snapshot's sequence number. */
async function onDisk(path: string): Promise<{ snapshotSeq: number; journalLines: { s: number; e: number }[] }> {
  const snapshot = JSON.parse(await readFile(path, "utf8")) as { seq: number };
  const text = (await readFile(`${path}.journal`, "utf8")).replace(/\u0000+$/, "");
  return { snapshotSeq: snapshot.seq, journalLines: text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { s: number; e: number }) };
}

/** A restart on `path` holds exactly `before` (no write lost, none doubled), mints fresh ids, and compacts. */
async function expectCleanReplay(path: string, before: ReturnType<EmulatorHandle["state"]["snapshot"]>): Promise<void> {
  const b = await startEmulator({ port: 0, statePath: path });
  try {
    expect(b.notices).toEqual([]);
    expect(b.state.snapshot()).toEqual(before);
    const ids = new Set(Object.values(before.collections).flatMap((records) => (records as { id: string }[]).map((r) => r.id)));
    const next = await createPolicy(b.url, "after the crash");
    expect(next.status).toBe(200);
    expect(ids.has(next.body.data.policy.id)).toBe(false);
  } finally {
    await b.close();
  }
  expect((await stat(`${path}.journal`)).size).toBe(0);
}

type Step = "the snapshot write" | "the journal truncation";

/** Crashes (throws) at one step of compaction while `armed()`; the real operation otherwise. */
function crashAt(step: Step, armed: () => boolean): Partial<StateIo> {
  return step === "the journal truncation"
    ? { truncate: (fd, length) => (armed() ? crash() : ftruncateSync(fd, length)) }
    : { writeSnapshot: (path, data) => (armed() ? Promise.reject(new Error(CRASH)) : writeSnapshot(path, data)) };
}

/** Where the crash must have left the files: the snapshot at `snapshotSeq`, the journal still up to `lastSeq`. */
async function expectCrashedFiles(path: string, snapshotSeq: number, lastSeq: number): Promise<void> {
  const disk = await onDisk(path);
  expect(disk.snapshotSeq).toBe(snapshotSeq);
  expect(disk.journalLines.length).toBeGreaterThan(0);
  expect(disk.journalLines.at(-1)!.e).toBe(lastSeq);
}

// "the journal truncation" is the crash between snapshot write and truncation itself; "the snapshot write" is one
// step earlier, and fails if compaction ever empties the journal before the snapshot holds everything.
const STEPS: Step[] = ["the journal truncation", "the snapshot write"];

describe("a crash in compaction (between the snapshot write and the journal truncation) replays cleanly", () => {
  it.each(STEPS)("at shutdown, crashing at %s", async (step) => {
    const path = statePath();
    let armed = false;
    const em = await startEmulator({ port: 0, statePath: path, stateIo: crashAt(step, () => armed) });
    const startSeq = em.state.snapshot().seq;
    await populate(em.url);
    const before = em.state.snapshot();
    expect(before.seq).toBeGreaterThan(startSeq);
    armed = true;
    await expect(em.close()).rejects.toThrow(CRASH);

    await expectCrashedFiles(path, step === "the journal truncation" ? before.seq : startSeq, before.seq);
    await expectCleanReplay(path, before);
  });

  it.each(STEPS)("at start-up (after a kill -9), crashing at %s", async (step) => {
    const live = statePath();
    const em = await startEmulator({ port: 0, statePath: live });
    const startSeq = em.state.snapshot().seq;
    await populate(em.url);
    const before = em.state.snapshot();
    // The files as a kill -9 leaves them: the start-up snapshot and the journal of every batch since.
    const path = statePath();
    await mkdir(dirname(path), { recursive: true });
    await copyFile(live, path);
    await copyFile(`${live}.journal`, `${path}.journal`);
    await em.close();

    await expect(startEmulator({ port: 0, statePath: path, stateIo: crashAt(step, () => true) })).rejects.toThrow(CRASH);
    await expectCrashedFiles(path, step === "the journal truncation" ? before.seq : startSeq, before.seq);
    await expectCleanReplay(path, before);
  });
});
