import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  isRetryableRead,
  isRetryableWrite,
  parseRetryAfter,
  retryDelay,
  withRetry,
} from "../../src/live/retry.js";
import { HttpError, type HttpErrorInit } from "../../src/live/http-error.js";

const statusError = (status: number, extra: Partial<HttpErrorInit> = {}) =>
  new HttpError({
    kind: "status",
    method: "GET",
    path: "/x",
    status,
    serverMessage: null,
    outcome: status < 500 ? "not-applied" : "unknown",
    ...extra,
  });
const networkError = (outcome: "not-applied" | "unknown") =>
  new HttpError({ kind: "network", method: "POST", path: "/x", status: null, serverMessage: null, code: "E", outcome });

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it.each([
    ["3", 3000],
    [" 0 ", 0],
    ["120", 120_000],
    ["Wed, 01 Jan 2025 00:00:05 GMT", 5000],
    ["Tue, 31 Dec 2024 23:59:00 GMT", 0],
  ])("%j → %i ms", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
  it.each([undefined, "soon", "-1", "1.5"])("%j → undefined", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
  it("takes the first of repeated headers", () => {
    expect(parseRetryAfter(["2", "9"], now)).toBe(2000);
  });
});

describe("backoff with full jitter", () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  it("stays within [0, min(max, base × 2^(n-1))] for any random value", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let retry = 1; retry <= 12; retry++) {
      const ceiling = Math.min(1000, 100 * 2 ** (retry - 1));
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(retry, policy, random);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
      expect(backoffDelay(retry, policy, () => 0.999999)).toBeLessThanOrEqual(ceiling);
      expect(backoffDelay(retry, policy, () => 0)).toBe(0);
    }
  });
  it("uses Retry-After as a floor, with at most one base delay of jitter", () => {
    const e = statusError(429, { retryAfterMs: 3000 });
    expect(retryDelay(e, 1, policy, () => 0)).toBe(3000);
    expect(retryDelay(e, 5, policy, () => 0.999)).toBeLessThan(3100);
    expect(retryDelay(e, 5, policy, () => 0.999)).toBeGreaterThanOrEqual(3000);
  });
});

describe("what is retried", () => {
  it.each([
    [statusError(429), true, true],
    [statusError(408), true, true],
    [statusError(500), true, false],
    [statusError(502), true, false],
    [statusError(503), true, false],
    [statusError(504), true, false],
    [statusError(409), false, false],
    [statusError(404), false, false],
    [statusError(422), false, false],
    [networkError("not-applied"), true, true],
    [networkError("unknown"), true, false],
    [new Error("bug"), false, false],
  ])("%s: read %s, write %s", (error, read, write) => {
    expect(isRetryableRead(error)).toBe(read);
    expect(isRetryableWrite(error)).toBe(write);
  });
});

describe("withRetry", () => {
  const quick = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, maxRateLimitedAttempts: 4 };
  it("gives up after maxAttempts and throws the last error", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw statusError(503);
      },
      { policy: quick, shouldRetry: isRetryableRead, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    );
    await expect(run).rejects.toThrow("503 Service Unavailable");
    expect(calls).toBe(3);
    expect(sleeps).toEqual([100, 200]);
  });
  it("counts 429s against their own, larger budget", async () => {
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw statusError(429, { retryAfterMs: 0 });
      },
      { policy: quick, shouldRetry: isRetryableRead, sleep: async () => {}, random: () => 0 },
    );
    await expect(run).rejects.toThrow("429 Too Many Requests");
    expect(calls).toBe(4);
  });
  it("does not wait out an unreasonable Retry-After", async () => {
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw statusError(429, { retryAfterMs: 3_600_000 });
      },
      { policy: quick, shouldRetry: isRetryableRead, sleep: async () => {}, random: () => 0 },
    );
    await expect(run).rejects.toThrow("429");
    expect(calls).toBe(1);
  });
  it("stops at once on an error that is not retryable", async () => {
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw statusError(409);
      },
      { policy: quick, shouldRetry: isRetryableWrite, sleep: async () => {}, random: () => 0 },
    );
    await expect(run).rejects.toThrow("409 Conflict");
    expect(calls).toBe(1);
  });
  it("returns the first success", async () => {
    let calls = 0;
    const value = await withRetry(
      async () => {
        if (++calls < 3) throw statusError(500);
        return "ok";
      },
      { policy: quick, shouldRetry: isRetryableRead, sleep: async () => {}, random: () => 0 },
    );
    expect(value).toBe("ok");
  });
});
