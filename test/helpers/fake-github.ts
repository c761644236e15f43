/**
 * A fake GitHub REST API on 127.0.0.1, port 0, with just what the action calls: issue comments (list with
 * pagination and `Link` headers, create, update), issues (list open with pagination, create, update), and
 * commit → pull requests. State is plain data the tests seed and inspect; every request is recorded.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FakeUser {
  login: string;
  type: "Bot" | "User";
}

export const BOT: FakeUser = { login: "github-actions[bot]", type: "Bot" };
export const HUMAN: FakeUser = { login: "octocat", type: "User" };

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: FakeUser;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason?: string | null;
  user: FakeUser;
  /** Pull requests are issues too, and appear in the issues list. */
  pull_request?: { url: string };
}

export interface FakePull {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string | null;
}

export interface FakeGithubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization?: string;
  body?: any;
}

export interface FakeGithub {
  url: string;
  owner: string;
  repo: string;
  token: string;
  comments: FakeComment[];
  issues: FakeIssue[];
  /** sha → the pull requests GitHub associates with that commit. */
  pullsByCommit: Map<string, FakePull[]>;
  requests: FakeGithubRequest[];
  /** Server-side page size cap (GitHub's is 100); small values make tests page. */
  pageSize: number;
  /** A read-only token, as a fork's pull request gets: every write answers 403. */
  readOnly: boolean;
  commentsOn(issue: number): FakeComment[];
  close(): Promise<void>;
}

export interface FakeGithubOptions {
  owner?: string;
  repo?: string;
  token?: string;
  pageSize?: number;
}

export async function startFakeGithub(options: FakeGithubOptions = {}): Promise<FakeGithub> {
  const sockets = new Set<Socket>();
  let nextId = 1000;
  const gh: FakeGithub = {
    url: "",
    owner: options.owner ?? "acme",
    repo: options.repo ?? "access",
    token: options.token ?? "ghs_FAKE-token-0123456789",
    comments: [],
    issues: [],
    pullsByCommit: new Map(),
    requests: [],
    pageSize: options.pageSize ?? 100,
    readOnly: false,
    commentsOn: (issue) => gh.comments.filter((c) => c.issue === issue),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const page = <T>(items: readonly T[], url: URL): { items: T[]; link?: string } => {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30) || 30, gh.pageSize);
    const pageNo = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const links: string[] = [];
    const at = (n: number): string => {
      const u = new URL(url.toString());
      u.searchParams.set("page", String(n));
      u.searchParams.set("per_page", String(perPage));
      return `<${gh.url}${u.pathname}${u.search}>`;
    };
    if (pageNo < last) links.push(`${at(pageNo + 1)}; rel="next"`, `${at(last)}; rel="last"`);
    if (pageNo > 1) links.push(`${at(1)}; rel="first"`, `${at(pageNo - 1)}; rel="prev"`);
    return { items: items.slice((pageNo - 1) * perPage, pageNo * perPage), ...(links.length ? { link: links.join(", ") } : {}) };
  };

  const commentJson = (c: FakeComment) => ({ id: c.id, body: c.body, user: c.user, issue_url: `${gh.url}/repos/${gh.owner}/${gh.repo}/issues/${c.issue}` });
  const issueJson = (i: FakeIssue) => ({ ...i, id: i.number + 500_000 });

  type Answer = { status: number; json?: unknown; link?: string };
  const route = (method: string, url: URL, body: any): Answer => {
    const base = `/repos/${gh.owner}/${gh.repo}`;
    const p = url.pathname;
    if (!p.startsWith(base + "/")) return { status: 404, json: { message: "Not Found" } };
    const rest = p.slice(base.length);
    const write = method !== "GET";
    if (write && gh.readOnly) return { status: 403, json: { message: "Resource not accessible by integration" } };
    let m: RegExpExecArray | null;
    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const issue = Number(m[1]);
      if (method === "GET") {
        const { items, link } = page(gh.commentsOn(issue), url);
        return { status: 200, json: items.map(commentJson), ...(link ? { link } : {}) };
      }
      if (method === "POST") {
        if (typeof body?.body !== "string") return { status: 422, json: { message: "body is missing" } };
        if (body.body.length > 65_536) return { status: 422, json: { message: "Body is too long (maximum is 65536 characters)" } };
        const c: FakeComment = { id: nextId++, issue, body: body.body, user: BOT };
        gh.comments.push(c);
        return { status: 201, json: commentJson(c) };
      }
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest)) && method === "PATCH") {
      const c = gh.comments.find((x) => x.id === Number(m![1]));
      if (!c) return { status: 404, json: { message: "Not Found" } };
      if (c.user.type !== "Bot") return { status: 403, json: { message: "Must have admin rights to Repository." } };
      if (body.body.length > 65_536) return { status: 422, json: { message: "Body is too long (maximum is 65536 characters)" } };
      c.body = body.body;
      return { status: 200, json: commentJson(c) };
    }
    if (rest === "/issues") {
      if (method === "GET") {
        const state = url.searchParams.get("state") ?? "open";
        const list = gh.issues.filter((i) => state === "all" || i.state === state).sort((a, b) => b.number - a.number);
        const { items, link } = page(list, url);
        return { status: 200, json: items.map(issueJson), ...(link ? { link } : {}) };
      }
      if (method === "POST") {
        const number = Math.max(0, ...gh.issues.map((i) => i.number), 100) + 1;
        const i: FakeIssue = { number, title: body.title, body: body.body ?? "", state: "open", user: BOT };
        gh.issues.push(i);
        return { status: 201, json: issueJson(i) };
      }
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest)) && method === "PATCH") {
      const i = gh.issues.find((x) => x.number === Number(m![1]));
      if (!i) return { status: 404, json: { message: "Not Found" } };
      for (const k of ["title", "body", "state", "state_reason"] as const) if (body[k] !== undefined) (i as any)[k] = body[k];
      return { status: 200, json: issueJson(i) };
    }
    if ((m = /^\/commits\/([0-9a-f]{40})\/pulls$/.exec(rest)) && method === "GET") {
      return { status: 200, json: (gh.pullsByCommit.get(m[1]!) ?? []).map((pr) => ({ ...pr, id: pr.number + 900_000, state: pr.merged_at ? "closed" : "open" })) };
    }
    return { status: 404, json: { message: `Not Found: ${method} ${p}` } };
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const raw = Buffer.concat(chunks).toString("utf8");
      const body = raw === "" ? undefined : JSON.parse(raw);
      gh.requests.push({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
      const answer: Answer =
        req.headers.authorization !== `token ${gh.token}` ? { status: 401, json: { message: "Bad credentials" } } : route(req.method ?? "GET", url, body ?? {});
      const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
      if (answer.link) headers["link"] = answer.link;
      res.writeHead(answer.status, headers);
      res.end(answer.json === undefined ? "" : JSON.stringify(answer.json));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  gh.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return gh;
}
