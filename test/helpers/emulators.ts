/**
 * Emulators for one test file: `const emulator = emulatorsForFile()` at the top of the file, then
 * `await emulator()` (or with options) in a test; every one started is closed after the file's tests.
 */
import { afterAll } from "vitest";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { CEDAR_KEY, RBAC_KEY } from "./apply-fixtures.js";

type Options = Parameters<typeof startEmulator>[0];

export function emulatorsForFile(defaults: Options = {}): (options?: Options) => Promise<EmulatorHandle> {
  const started: EmulatorHandle[] = [];
  afterAll(async () => {
    await Promise.all(started.map((em) => em.close().catch(() => undefined)));
  });
  return async (options = {}) => {
    const em = await startEmulator({ port: 0, rbacKey: RBAC_KEY, cedarKey: CEDAR_KEY, ...defaults, ...options });
    started.push(em);
    return em;
  };
}
