/**
 * The request log: kept in memory for tests (`handle.requestLog`) and, with `--log`, appended to a file as one
 * JSON line per request. Bodies and headers are never logged (they carry keys).
 */

import { createWriteStream, type WriteStream } from "node:fs";

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  /** 0 when the connection was reset instead of answered. */
  status: number;
  durationMs: number;
  /** Set when the answer was an injected fault: `before-500`, `after-reset`, … */
  fault?: string;
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  private readonly stream: WriteStream | undefined;

  constructor(logPath: string | undefined) {
    this.stream = logPath === undefined ? undefined : createWriteStream(logPath, { flags: "a" });
    // A log that cannot be written must not take the server down with it.
    this.stream?.on("error", () => undefined);
  }

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    this.stream?.write(`${JSON.stringify(entry)}\n`);
  }

  close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => stream.end(resolve));
  }
}
