/**
 * A scriptable proxy in front of the emulator (a fake HTTP server on 127.0.0.1, port 0): each request goes to a
 * script that may forward it, forward it and then lose the answer (a 500 or a reset after the commit), hold it
 * back, or answer on its own — so a client's "outcome unknown" paths can be driven one request at a time, against
 * the real emulator behind.
 */
import { startFakeHttp, type FakeRequest, type FakeResponse, type FakeServer } from "./fake-http.js";

/** Sends the request to the emulator as the client sent it (keys, tenant and body); answers its status and JSON. */
export type Forward = (req: FakeRequest) => Promise<FakeResponse & { status: number }>;

export type ProxyScript = (req: FakeRequest, forward: Forward) => FakeResponse | Promise<FakeResponse>;

const PASSED_HEADERS = ["confident_api_key", "x-api-key", "x-tenant-id", "content-type", "accept"];

export interface EmulatorProxy extends FakeServer {
  /** What the script threw (an assertion inside it, say), in order; a test should expect none. */
  errors: unknown[];
}

export async function startEmulatorProxy(emulatorUrl: string, script: ProxyScript = (req, forward) => forward(req)): Promise<EmulatorProxy> {
  const forward: Forward = async (req) => {
    const headers: Record<string, string> = {};
    for (const name of PASSED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const query = req.query.toString();
    const res = await fetch(`${emulatorUrl}${req.path}${query === "" ? "" : `?${query}`}`, {
      method: req.method,
      headers,
      ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
    });
    const text = await res.text();
    return text === "" ? { status: res.status } : { status: res.status, json: JSON.parse(text) as unknown };
  };
  const errors: unknown[] = [];
  const server = await startFakeHttp(async (req) => {
    try {
      return await script(req, forward);
    } catch (error) {
      // The fake server turns a throw into a 599 the client may well settle: keep it for the test to check.
      errors.push(error);
      throw error;
    }
  });
  return Object.assign(server, { errors });
}
