import { inspect } from "node:util";
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { createHttpClient, type HttpClientOptions } from "../../src/live/http-client.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { HttpError } from "../../src/live/http-error.js";
import { startFakeHttp, startFakeProxy, type FakeServer } from "../helpers/fake-http.js";

const KEY = "sk-live-7f3a9c1e-super-secret";

/** A clock that only moves when someone sleeps: retries run instantly and their waits are recorded. */
function fakeClock(start = Date.parse("2025-01-01T00:00:00Z")) {
  const clock = { t: start, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
}

let server: FakeServer;
let dispatcher: Dispatcher;

beforeAll(async () => {
  server = await startFakeHttp();
  dispatcher = createDispatcher({ env: {} });
});
afterAll(async () => {
  await dispatcher.close();
  await server.close();
});
afterEach(async () => {
  // A test may leave a slow answer pending; it must not count in the next test's in-flight numbers.
  while (server.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  server.requests.length = 0;
  server.maxInFlight = 0;
});

function client(extra: Partial<HttpClientOptions> = {}) {
  const { now, sleep, clock } = fakeClock();
  const http = createHttpClient({
    baseUrl: server.url,
    headers: { "X-API-Key": KEY },
    secrets: [KEY],
    dispatcher,
    now,
    sleep,
    random: () => 0,
    ...extra,
  });
  return { http, clock };
}

async function caught(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error("expected a rejection");
}

describe("requests", () => {
  it("sends JSON with the auth headers and reads JSON", async () => {
    server.handle((req) => ({ json: { echo: req.body, q: req.query.get("limit"), key: req.headers["x-api-key"] === KEY } }));
    const { http } = client();
    const answer = await http.request("POST", "/v1/things", { body: { a: 1 }, query: { limit: 5, cursor: undefined } });
    expect(answer).toEqual({ echo: { a: 1 }, q: "5", key: true });
    expect(server.requests[0]?.headers["content-type"]).toBe("application/json");
    expect(server.requests[0]?.query.has("cursor")).toBe(false);
  });

  it("keeps a base URL's path prefix", async () => {
    server.handle((req) => ({ json: { path: req.path } }));
    const { http } = client({ baseUrl: `${server.url}/api/` });
    expect(await http.request("GET", "/v1/x")).toEqual({ path: "/api/v1/x" });
  });

  it("reads an empty 204 as undefined", async () => {
    server.handle(() => ({ status: 204 }));
    const { http } = client();
    expect(await http.request("DELETE", "/v1/x")).toBeUndefined();
  });
});

describe("retries", () => {
  it("retries a GET on 429, honouring Retry-After in seconds", async () => {
    let n = 0;
    server.handle(() => (++n < 3 ? { status: 429, headers: { "retry-after": "2" }, json: { error: "slow down" } } : { json: { ok: true } }));
    const { http, clock } = client();
    expect(await http.request("GET", "/v1/x")).toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([2000, 2000]);
  });

  it("honours Retry-After as an HTTP date", async () => {
    let n = 0;
    server.handle(() =>
      ++n === 1 ? { status: 503, headers: { "retry-after": "Wed, 01 Jan 2025 00:00:07 GMT" } } : { json: { ok: true } },
    );
    const { http, clock } = client();
    await http.request("GET", "/v1/x");
    expect(clock.sleeps).toEqual([7000]);
  });

  it("backs off with bounded jitter on 5xx, then gives up with the last error", async () => {
    server.handle(() => ({ status: 502, text: "<html><body><h1>Bad gateway</h1></body></html>" }));
    const { http, clock } = client({ random: () => 0.999, retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 } });
    const error = await caught(http.request("GET", "/v1/x"));
    expect(error.message).toBe("[GET] /v1/x: 502 Bad Gateway — Bad gateway");
    expect(server.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([99, 199, 249]);
  });

  it("retries a DELETE on a reset connection", async () => {
    let n = 0;
    server.handle(() => (++n === 1 ? { reset: true } : { status: 204 }));
    const { http } = client();
    await http.request("DELETE", "/v1/x/1");
    expect(server.requests).toHaveLength(2);
  });

  it("never repeats a write whose outcome is unknown (500, reset after sending)", async () => {
    server.handle(() => ({ status: 500, json: { error: "boom" } }));
    const { http } = client();
    const e500 = await caught(http.request("POST", "/v1/x", { body: {} }));
    expect(e500.outcome).toBe("unknown");
    expect(server.requests).toHaveLength(1);

    server.handle(() => ({ reset: true }));
    const reset = await caught(http.request("PUT", "/v1/x/1", { body: {} }));
    expect(reset).toMatchObject({ kind: "network", outcome: "unknown", status: null });
    expect(server.requests).toHaveLength(2);
  });

  it("retries a write on 429: the server did not act", async () => {
    let n = 0;
    server.handle(() => (++n === 1 ? { status: 429, headers: { "retry-after": "1" } } : { json: { id: "p1" } }));
    const { http, clock } = client();
    expect(await http.request("POST", "/v1/x", { body: { name: "a" } })).toEqual({ id: "p1" });
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([1000]);
  });

  it("does not retry a write refused with a 4xx", async () => {
    server.handle(() => ({ status: 409, json: { success: false, error: "Role name already exists" } }));
    const { http } = client();
    const error = await caught(http.request("PUT", "/v1/organization/roles/r1", { body: {} }));
    expect(error.message).toBe("[PUT] /v1/organization/roles/r1: 409 Conflict — Role name already exists");
    expect(error).toMatchObject({ method: "PUT", path: "/v1/organization/roles/r1", status: 409, outcome: "not-applied" });
    expect(server.requests).toHaveLength(1);
  });

  it("a connection refused before sending is not-applied, and a write is retried", async () => {
    const port = await freePort();
    const { http, clock } = client({ baseUrl: `http://127.0.0.1:${port}`, retry: { maxAttempts: 3 } });
    const error = await caught(http.request("POST", "/v1/x", { body: {} }));
    expect(error).toMatchObject({ kind: "network", code: "ECONNREFUSED", outcome: "not-applied" });
    expect(error.message).toMatch(/^\[POST\] \/v1\/x: no response \(ECONNREFUSED\)/);
    expect(clock.sleeps).toHaveLength(2);
  });

  it("a headers timeout is unknown", async () => {
    const slow = createDispatcher({ env: {}, headersTimeoutMs: 50 });
    // undici's timers tick about once a second, so the server must be slower than that.
    server.handle(() => ({ delayMs: 1500, json: {} }));
    const { http } = client({ dispatcher: slow });
    const error = await caught(http.request("PATCH", "/v1/x", { body: {} }));
    expect(error).toMatchObject({ kind: "network", code: "UND_ERR_HEADERS_TIMEOUT", outcome: "unknown" });
    await slow.close();
  });

  it("an unreadable 2xx is a protocol error naming the request", async () => {
    server.handle(() => ({ text: "not json" }));
    const { http } = client();
    const error = await caught(http.request("POST", "/v1/x", { body: {} }));
    expect(error.message).toBe("[POST] /v1/x: unexpected response to 200 OK — the answer is not the API's JSON (got no content type)");
    expect(error.outcome).toBe("unknown");
  });
});

describe("concurrency", () => {
  it("keeps at most `concurrency` requests in flight", async () => {
    server.handle(() => ({ delayMs: 100, json: {} }));
    const { http } = client({ concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => http.request("GET", "/v1/x")));
    expect(server.maxInFlight).toBe(3);
  });

  it("shrinks while the server answers 429 and grows back after", async () => {
    // The first 8 requests all get 429, answered together once all 8 have arrived (so no retry takes a 429).
    let arrived = 0;
    let releaseBurst!: () => void;
    const burst = new Promise<void>((resolve) => (releaseBurst = resolve));
    server.handle(async () => {
      if (arrived < 8) {
        if (++arrived === 8) releaseBurst();
        await burst;
        return { status: 429, headers: { "retry-after": "0" } };
      }
      return { delayMs: 10, json: {} };
    });
    const limitsWhenBackingOff: number[] = [];
    const { http } = client({
      concurrency: 8,
      sleep: async () => {
        limitsWhenBackingOff.push(http.limiter.limit);
        await new Promise((r) => setTimeout(r, 5));
      },
    });
    const first = Array.from({ length: 8 }, () => http.request("GET", "/v1/x"));
    await burst;
    server.maxInFlight = 0;
    await Promise.all([...first, ...Array.from({ length: 8 }, () => http.request("GET", "/v1/x"))]);
    // One burst of 429s halves the limit once (8 → 4), not eight times.
    expect(limitsWhenBackingOff[0]).toBe(4);
    expect(Math.min(...limitsWhenBackingOff)).toBe(4);
    // Growing back from 4 takes about one success per place: 16 answers cannot bring it to 8 again.
    expect(server.maxInFlight).toBeLessThan(8);
    for (let i = 0; i < 40; i++) await http.request("GET", "/v1/x");
    expect(http.limiter.limit).toBe(8);
  });
});

describe("secrets", () => {
  it("never puts the key in an error, whatever the server echoes", async () => {
    server.handle((req) => ({
      status: 401,
      json: { success: false, error: `invalid key ${String(req.headers["x-api-key"])} (${encodeURIComponent(KEY)})` },
    }));
    const { http } = client();
    const error = await caught(http.request("GET", `/v1/x/${KEY}`));
    const everything = [error.message, error.serverMessage, error.path, inspect(error, { depth: 10 }), JSON.stringify(error), String(error.stack)];
    for (const text of everything) expect(text).not.toContain(KEY);
    expect(error.message).toBe("[GET] /v1/x/***: 401 Unauthorized — invalid key *** (***)");
  });

  it("never puts the key in a network error", async () => {
    const port = await freePort();
    const { http } = client({ baseUrl: `http://127.0.0.1:${port}`, retry: { maxAttempts: 1 } });
    const error = await caught(http.request("GET", "/v1/x"));
    expect(inspect(error, { depth: 10 })).not.toContain(KEY);
  });
});

describe("proxy variables", () => {
  it("sends through HTTP_PROXY, and straight to 127.0.0.1 when NO_PROXY names it", async () => {
    const proxy = await startFakeProxy();
    server.handle(() => ({ json: { ok: true } }));
    const proxied = createDispatcher({ env: { HTTP_PROXY: proxy.url } });
    const direct = createDispatcher({ env: { HTTP_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" } });
    try {
      await client({ dispatcher: proxied }).http.request("GET", "/v1/x");
      expect(proxy.seen).toEqual([`127.0.0.1:${server.port}`]);
      await client({ dispatcher: direct }).http.request("GET", "/v1/x");
      expect(proxy.seen).toHaveLength(1);
      expect(server.requests).toHaveLength(2);
    } finally {
      await proxied.close();
      await direct.close();
      await proxy.close();
    }
  });

  it("prefers the lower-case variable, as curl does", async () => {
    const proxy = await startFakeProxy();
    server.handle(() => ({ json: {} }));
    const d = createDispatcher({ env: { http_proxy: proxy.url, HTTP_PROXY: "http://127.0.0.1:9" } });
    try {
      await client({ dispatcher: d }).http.request("GET", "/v1/x");
      expect(proxy.seen).toHaveLength(1);
    } finally {
      await d.close();
      await proxy.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}
