/**
 * A small scriptable HTTP server on 127.0.0.1, port 0, for testing the HTTP layer and the adapters without the
 * emulator: each request is recorded and answered by a handler (JSON, a status, headers, a delay, or a reset
 * connection). Also a CONNECT proxy that records what it tunnels, for the proxy-variable tests.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

export interface FakeRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined. */
  body: unknown;
}

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  delayMs?: number;
  /** Destroy the connection instead of answering (after the request was read: the outcome is unknown). */
  reset?: boolean;
}

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface FakeServer {
  url: string;
  port: number;
  requests: FakeRequest[];
  /** Most requests seen in flight at once. */
  maxInFlight: number;
  inFlight: number;
  handle(handler: FakeHandler): void;
  close(): Promise<void>;
}

export async function startFakeHttp(handler: FakeHandler = () => ({ status: 404, json: { error: "no handler" } })): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  let current = handler;
  const state: FakeServer = {
    url: "",
    port: 0,
    requests: [],
    maxInFlight: 0,
    inFlight: 0,
    handle: (h) => {
      current = h;
    },
    close: () => closeServer(server, sockets),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        state.inFlight++;
        state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
        const url = new URL(req.url ?? "/", "http://fake");
        const raw = Buffer.concat(chunks).toString("utf8");
        const fake: FakeRequest = {
          method: req.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: raw === "" ? undefined : (JSON.parse(raw) as unknown),
        };
        state.requests.push(fake);
        try {
          const answer = await current(fake);
          if (answer.delayMs !== undefined) await new Promise((r) => setTimeout(r, answer.delayMs));
          if (answer.reset === true) {
            req.socket.destroy();
            return;
          }
          const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? "");
          const headers: Record<string, string> = { ...answer.headers };
          if (answer.json !== undefined) headers["content-type"] = "application/json";
          res.writeHead(answer.status ?? 200, headers);
          res.end(body);
        } catch (error) {
          res.writeHead(599);
          res.end(String(error));
        } finally {
          state.inFlight--;
        }
      })();
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  return state;
}

export interface FakeProxy {
  url: string;
  /** `host:port` of every CONNECT, and the absolute URL of every forwarded plain request. */
  seen: string[];
  close(): Promise<void>;
}

/** A forward proxy that tunnels CONNECT to loopback targets only. */
export async function startFakeProxy(): Promise<FakeProxy> {
  const sockets = new Set<Socket>();
  const seen: string[] = [];
  const server = createServer((req, res) => {
    // undici tunnels by default; a plain absolute-form request is only recorded.
    seen.push(req.url ?? "");
    res.writeHead(502);
    res.end("plain proxying not supported by the fake proxy");
  });
  server.on("connect", (req, client: Socket, head: Buffer) => {
    const target = req.url ?? "";
    seen.push(target);
    const [host, port] = target.split(":");
    if (host !== "127.0.0.1" && host !== "localhost") {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => closeServer(server, sockets) };
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Routes by `METHOD /path` (exact) with a fallback 404 in the RBAC error shape. */
export function routes(table: Record<string, FakeHandler>): FakeHandler {
  return (req) => {
    const route = table[`${req.method} ${req.path}`];
    return route ? route(req) : { status: 404, json: { success: false, error: `no route ${req.method} ${req.path}` } };
  };
}
