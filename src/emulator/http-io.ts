/**
 * Low-level request/response helpers: bounded body reading and JSON answers.
 */

import type { IncomingMessage, ServerResponse } from "node:http";

/** The vendors name no limit (docs/file-format.md#limits); 1 MB is ours (far above any real policy or role body). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Beyond this the body is not even drained: the connection is dropped. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export type BodyResult =
  | { kind: "ok"; text: string }
  | { kind: "too-large" }
  | { kind: "aborted" };

/**
 * Reads the body, keeping at most MAX_BODY_BYTES. An oversized body is still drained (not kept) before the 413
 * goes out: answering while the client is still sending makes most clients see a reset instead of the 413.
 */
export function readBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (Number.isFinite(declared) && declared > MAX_DRAIN_BYTES) {
      req.destroy();
      resolve({ kind: "too-large" });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > MAX_BODY_BYTES;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      if (size > MAX_DRAIN_BYTES) {
        req.destroy();
        resolve({ kind: "too-large" });
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) resolve({ kind: "too-large" });
      else resolve({ kind: "ok", text: Buffer.concat(chunks).toString("utf8") });
    });
    req.on("error", () => resolve({ kind: "aborted" }));
    req.on("aborted", () => resolve({ kind: "aborted" }));
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.writableEnded || res.destroyed) return;
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** A connection reset as a flaky network would produce (RST where the platform allows it). */
export function resetConnection(res: ServerResponse): void {
  const socket = res.socket as (NonNullable<ServerResponse["socket"]> & { resetAndDestroy?: () => void }) | null;
  if (!socket) return;
  if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
  else socket.destroy();
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
