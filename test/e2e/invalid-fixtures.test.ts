/**
 * The invalid-fixture corpus: every directory under `test/fixtures/invalid/` is a small invalid desired state
 * with an `expect.json` naming its FIRST error (diagnostics sort by file, line, column):
 *
 *   { "exit": 3, "message": "<fragment>", "file": "<path relative to the case dir>", "line": N, "col": N,
 *     "args"?: ["--deny-warnings"], "hint"?: "<fragment of the hint>", "also"?: ["<more message fragments>"] }
 *
 * Each case runs the real CLI (`validate <dir> --json`) and must exit 3 with that error, in that place, first.
 * A few cases also run without `--json` to pin the text form `file:line:col  address  error: message` + `hint:`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "../helpers/cli.js";

interface Expectation {
  exit: number;
  message: string;
  file: string;
  line: number;
  col: number;
  args?: string[];
  hint?: string;
  also?: string[];
}

interface JsonDiagnostic {
  severity: "error" | "warning";
  code: string;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  address?: string;
  hint?: string;
}

interface Case {
  name: string;
  /** The case directory as given to the CLI: relative to the repository root, which is the CLI's cwd. */
  dir: string;
  expected: Expectation;
}

const FIXTURES = join(ROOT, "test/fixtures/invalid");

const cases: Case[] = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()
  .map((name) => ({
    name,
    dir: relative(ROOT, join(FIXTURES, name)),
    expected: JSON.parse(readFileSync(join(FIXTURES, name, "expect.json"), "utf8")) as Expectation,
  }));

/** A diagnostic's file relative to its case directory, with `/` separators. */
function caseRelative(c: Case, file: string | undefined): string | undefined {
  return file === undefined ? undefined : relative(resolve(ROOT, c.dir), resolve(ROOT, file)).split("\\").join("/");
}

function describeDiagnostic(c: Case, d: JsonDiagnostic): string {
  return `${caseRelative(c, d.file) ?? "?"}:${d.line ?? "?"}:${d.col ?? "?"} ${d.severity} [${d.code}] ${d.message}${d.hint ? ` (hint: ${d.hint})` : ""}`;
}

function matches(c: Case, d: JsonDiagnostic): boolean {
  const e = c.expected;
  return (
    d.severity === "error" &&
    caseRelative(c, d.file) === e.file &&
    d.line === e.line &&
    d.col === e.col &&
    d.message.includes(e.message) &&
    (e.also ?? []).every((f) => d.message.includes(f)) &&
    (e.hint === undefined || (d.hint ?? "").includes(e.hint))
  );
}

function byPlace<T extends JsonDiagnostic>(list: readonly T[]): T[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...list].sort(
    (a, b) => cmp(a.file ?? "", b.file ?? "") || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0) || cmp(a.message, b.message),
  );
}

describe("the invalid-fixture corpus", () => {
  it("holds at least 50 cases, at least 17 of them about Cedar", () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const cedar = cases.filter((c) => /^(cedar-|access-test-|deny-warnings-)/.test(c.name));
    expect(cedar.length).toBeGreaterThanOrEqual(17);
    expect(cases.length - cedar.length).toBeGreaterThanOrEqual(33);
  });

  it("has a well-formed expect.json in every case", () => {
    for (const c of cases) {
      const e = c.expected;
      expect(e.exit, c.name).toBe(3);
      expect(typeof e.message === "string" && e.message.length > 0, `${c.name}: message`).toBe(true);
      expect(typeof e.file === "string" && !e.file.startsWith("/"), `${c.name}: file`).toBe(true);
      expect(Number.isInteger(e.line) && e.line >= 1, `${c.name}: line`).toBe(true);
      expect(Number.isInteger(e.col) && e.col >= 1, `${c.name}: col`).toBe(true);
    }
  });
});

describe.concurrent("accessctl validate <invalid fixture> --json", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const e = c.expected;
    const r = await runCli(["validate", c.dir, ...(e.args ?? []), "--json"]);
    const context = `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    expect(r.code, `exit code\n${context}`).toBe(e.exit);

    let out: { valid: boolean; diagnostics: JsonDiagnostic[] };
    try {
      out = JSON.parse(r.stdout) as typeof out;
    } catch {
      throw new Error(`--json printed no JSON on stdout\n${context}`);
    }
    expect(out.valid).toBe(false);
    // Place order (file, line, column, message), as the text form prints them; `byPlace` pins that --json
    // uses the same order.
    const errors = byPlace(out.diagnostics).filter((d) => d.severity === "error");
    const got = errors.map((d) => describeDiagnostic(c, d)).join("\n  ");
    const want = `${e.file}:${e.line}:${e.col} error containing ${JSON.stringify(e.message)}` +
      (e.also ? ` and ${e.also.map((s) => JSON.stringify(s)).join(", ")}` : "") +
      (e.hint ? ` with a hint containing ${JSON.stringify(e.hint)}` : "");

    // The expected error is reported…
    expect(errors.some((d) => matches(c, d)), `expected ${want}; got:\n  ${got}`).toBe(true);
    // …and it is the first one: nothing spurious sorts before it.
    expect(errors.findIndex((d) => matches(c, d)), `expected ${want} to be the first error; got:\n  ${got}`).toBe(0);
    // Every diagnostic is placed and says what to do (a hint), or at least carries a message.
    for (const d of out.diagnostics) {
      expect(d.file, `a diagnostic without a file: ${describeDiagnostic(c, d)}`).toBeTypeOf("string");
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.col).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("accessctl validate --json", () => {
  // The text form prints diagnostics sorted by place; machine output should list them in the same order, so
  // that "the first error" means the same thing to a person and to a tool.
  it.each(["cedar-schema-unknown-action-structured", "cedar-schema-unknown-entity-type"])("lists the diagnostics of %s in place order", async (name) => {
    const c = cases.find((x) => x.name === name);
    if (!c) throw new Error(`no fixture ${name}`);
    const r = await runCli(["validate", c.dir, ...(c.expected.args ?? []), "--json"]);
    const out = JSON.parse(r.stdout) as { diagnostics: JsonDiagnostic[] };
    expect(out.diagnostics.length).toBeGreaterThan(1);
    const place = (d: JsonDiagnostic): string => `${d.file}:${d.line}:${d.col} ${d.message}`;
    expect(out.diagnostics.map(place)).toEqual(byPlace(out.diagnostics).map(place));
  });
});

/** Cases whose text form is pinned, with the address the line must carry ("" = none). */
const TEXT_CASES: [name: string, address: string][] = [
  ["duplicate-across-files", "organization/policies/Manage billing"],
  ["dangling-policy-project", "projects/Support Bot/roles/Analyst"],
  ["cedar-syntax-in-file", "cedar/policies/p/rules/2"],
  ["unknown-top-level-key", ""],
  ["unset-env-variable", ""],
];

describe.concurrent("accessctl validate <invalid fixture> (text)", () => {
  it.each(TEXT_CASES)("%s", async (name, address) => {
    const c = cases.find((x) => x.name === name);
    if (!c) throw new Error(`no fixture ${name}`);
    const e = c.expected;
    const r = await runCli(["validate", c.dir, ...(e.args ?? [])]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout, "nothing on stdout when the state is invalid").toBe("");
    const lines = r.stderr.split("\n");
    const place = `${join(c.dir, e.file)}:${e.line}:${e.col}`;
    const head = lines.findIndex((l) => l.startsWith(`${place}  `));
    expect(head, `no line starting with ${place} in:\n${r.stderr}`).toBeGreaterThanOrEqual(0);
    const line = lines[head]!;
    const prefix = address === "" ? `${place}  error: ` : `${place}  ${address}  error: `;
    expect(line.startsWith(prefix), `${JSON.stringify(line)} should start with ${JSON.stringify(prefix)}`).toBe(true);
    expect(line.slice(prefix.length)).toContain(e.message);
    expect(lines[head + 1], "the hint follows on its own line").toMatch(/^ {2}hint: \S/);
    expect(r.stderr).toMatch(/The desired state is invalid \(\d+ errors?, \d+ warnings?\)\./);
  });
});
