/**
 * Servers that misbehave the ways a real network does, on 127.0.0.1 port 0, for the failure tests: one that
 * accepts and never answers, one that trickles its body a byte at a time, one that answers an HTML page (a proxy or
 * a web server), and one that answers 502 from a "proxy" whose upstream is gone. Each stops by itself on close.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";

export interface BadServer {
  url: string;
  /** Requests (or connections, for the silent one) seen. */
  seen: number;
  close(): Promise<void>;
}

function listen(server: Server | ReturnType<typeof createTcpServer>, sockets: Set<Socket>): Promise<number> {
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    }),
  );
}

function closer(server: { close(cb: () => void): unknown }, sockets: Set<Socket>, timers: Set<NodeJS.Timeout>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** Accepts connections and never writes a byte. */
export async function silentServer(): Promise<BadServer> {
  const sockets = new Set<Socket>();
  const state = { url: "", seen: 0, close: async () => undefined as void };
  const server = createTcpServer(() => state.seen++);
  const port = await listen(server, sockets);
  return Object.assign(state, { url: `http://127.0.0.1:${port}`, close: closer(server, sockets, new Set()) });
}

/** Answers 200 with headers at once, then one byte of the body every `everyMs`, for ever. */
export async function trickleServer(everyMs = 200): Promise<BadServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { url: "", seen: 0, close: async () => undefined as void };
  const server = createHttpServer((_req, res) => {
    state.seen++;
    res.writeHead(200, { "content-type": "application/json", "content-length": "1000000" });
    res.write(" ");
    const t = setInterval(() => res.write(" "), everyMs);
    timers.add(t);
    res.on("close", () => clearInterval(t));
  });
  const port = await listen(server, sockets);
  return Object.assign(state, { url: `http://127.0.0.1:${port}`, close: closer(server, sockets, timers) });
}

/** Answers every request with `status` and an HTML page, as a web server or a proxy would. */
export async function htmlServer(status = 200): Promise<BadServer> {
  const sockets = new Set<Socket>();
  const state = { url: "", seen: 0, close: async () => undefined as void };
  const server = createHttpServer((_req, res) => {
    state.seen++;
    res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><html><head><title>Sign in</title></head><body><h1>Welcome to the portal</h1></body></html>");
  });
  const port = await listen(server, sockets);
  return Object.assign(state, { url: `http://127.0.0.1:${port}`, close: closer(server, sockets, new Set()) });
}
