/**
 * The emulator (docs/services.md#the-emulator; its own decisions in README-decisions.md): both APIs, as
 * docs/services.md describes them, on one port. `startEmulator` is what tests, the CLI's embedded target and
 * `accessctl serve` start.
 */

import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createEmulatorServer } from "./http-server.js";
import { resolveOptions, type EmulatorOptions } from "./options.js";
import { RequestLog, type RequestLogEntry } from "./request-log.js";
import { createStateAccessor, type EmulatorState } from "./state-accessor.js";
import { openState } from "./state-file.js";

export type { EmulatorOptions } from "./options.js";
export type { RequestLogEntry } from "./request-log.js";
export type { EmulatorState } from "./state-accessor.js";
export type { StateIo } from "./state-file.js";
export { EmulatorOptionError } from "./options.js";
export { StateFileError } from "./journal.js";

export interface EmulatorHandle {
  /** e.g. `http://127.0.0.1:4010` (no trailing slash); both APIs live under it. */
  url: string;
  port: number;
  /** Every request so far, in completion order. */
  requestLog: RequestLogEntry[];
  /** Startup remarks worth telling a human (e.g. a torn journal line dropped after a crash). */
  notices: string[];
  state: EmulatorState;
  /** Stops accepting, lets in-flight requests finish, then compacts the journal into the snapshot. */
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const resolved = resolveOptions(options);
  const { store, durability, notices } = await openState(resolved.statePath, resolved.stateIo);
  const log = new RequestLog(resolved.logPath);
  const { server, inflight } = createEmulatorServer({ store, durability, options: resolved, log });
  try {
    server.listen(resolved.port, resolved.host);
    await once(server, "listening");
  } catch (error) {
    await log.close();
    await durability.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...inflight]);
      server.closeAllConnections();
      await closed;
      await durability.close();
      await log.close();
    })());

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requestLog: log.entries,
    notices,
    state: createStateAccessor(store, durability),
    close,
  };
}
