/**
 * Options of the emulator (README.md#the-emulator, docs/services.md#the-emulator) and their defaults.
 * `startEmulator` and `accessctl serve` share them, so the embedded target and the CLI behave the same.
 */

import type { StateIo } from "./state-file.js";

export interface EmulatorOptions {
  /** Default 4010; 0 = any free port. */
  port?: number;
  /** Default 127.0.0.1: the emulator accepts any key it is given, so it never listens beyond loopback unasked. */
  host?: string;
  /** JSON snapshot file; its journal is `<statePath>.journal`. Absent = memory only. */
  statePath?: string;
  rbacKey?: string;
  cedarKey?: string;
  tenant?: string;
  /** Every answer waits at least this long after the request arrived. */
  latencyMs?: number;
  /** Requests per second (token bucket, burst = one second's worth); beyond it 429 + Retry-After. */
  rateLimit?: number;
  /** 0..1: the share of requests that fault (before or after the commit). */
  faultRate?: number;
  /** Seeds the fault choice; default 0. */
  seed?: number;
  /** Default `limit` of the Cedar lists; default 50, at most 250. */
  pageSize?: number;
  /** One JSON line per request is appended here. */
  logPath?: string;
  /**
   * Tests only: replaces some file operations of the state file (a failing or held journal sync, a crash at one
   * step of compaction). The real ones by default.
   */
  stateIo?: Partial<StateIo>;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  statePath: string | undefined;
  rbacKey: string;
  cedarKey: string;
  tenant: string;
  latencyMs: number;
  rateLimit: number | undefined;
  faultRate: number;
  seed: number;
  pageSize: number;
  logPath: string | undefined;
  stateIo: Partial<StateIo>;
}

export const DEFAULT_PORT = 4010;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_RBAC_KEY = "local-rbac-key";
export const DEFAULT_CEDAR_KEY = "local-cedar-key";
export const DEFAULT_TENANT = "00000000-0000-4000-8000-000000000001";
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 250;

/** Thrown for an option that cannot work; the CLI turns it into exit 1 with the message. */
export class EmulatorOptionError extends Error {
  override readonly name = "EmulatorOptionError";
}

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EmulatorOptionError(`port must be an integer in 0..65535, got ${String(options.port)}`);
  }
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new EmulatorOptionError(`latencyMs must be ≥ 0, got ${String(options.latencyMs)}`);
  }
  if (options.rateLimit !== undefined && (!Number.isFinite(options.rateLimit) || options.rateLimit <= 0)) {
    throw new EmulatorOptionError(`rateLimit must be > 0 requests per second, got ${String(options.rateLimit)}`);
  }
  const faultRate = options.faultRate ?? 0;
  if (!Number.isFinite(faultRate) || faultRate < 0 || faultRate > 1) {
    throw new EmulatorOptionError(`faultRate must be in 0..1, got ${String(options.faultRate)}`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new EmulatorOptionError(`seed must be a number, got ${String(options.seed)}`);
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new EmulatorOptionError(`pageSize must be an integer in 1..${MAX_PAGE_SIZE}, got ${String(options.pageSize)}`);
  }
  const rbacKey = options.rbacKey ?? DEFAULT_RBAC_KEY;
  const cedarKey = options.cedarKey ?? DEFAULT_CEDAR_KEY;
  if (rbacKey === "" || cedarKey === "") throw new EmulatorOptionError("API keys must not be empty");
  return {
    port,
    host: options.host ?? DEFAULT_HOST,
    statePath: options.statePath,
    rbacKey,
    cedarKey,
    tenant: options.tenant ?? DEFAULT_TENANT,
    latencyMs,
    rateLimit: options.rateLimit,
    faultRate,
    seed,
    pageSize,
    logPath: options.logPath,
    stateIo: options.stateIo ?? {},
  };
}
