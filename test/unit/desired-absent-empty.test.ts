/**
 * The loader keeps "absent" and "empty" apart (a collection no file mentions is unmanaged and stays `undefined`;
 * `roles: []` is authoritative and stays `[]`), and merges a project spread over several files into one.
 * Small YAML files in a temp dir, through `loadDesiredState` as the commands call it.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import type { DesiredState } from "../../src/desired/types.js";
import { tempDir } from "../helpers/cli.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory holding the files (path → YAML), removed after this file's tests. */
function dirOf(files: Record<string, string>): string {
  const dir = tempDir(undefined, files);
  dirs.push(dir);
  return dir;
}

/** Writes the files (path → YAML) to a fresh directory and loads it; fails the test on any error. */
function load(files: Record<string, string>): DesiredState {
  const result = loadDesiredState(dirOf(files), { env: {} });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(result.desired).toBeDefined();
  return result.desired!;
}

const names = (items: readonly { name: string }[] | undefined) => items?.map((i) => i.name);

describe("loadDesiredState: absent is unmanaged, [] is authoritative", () => {
  it("a collection key no file mentions stays undefined (and so does a scope no file mentions)", () => {
    const desired = load({
      "organization.yaml": ["organization:", "  policies:", "    - name: P", "      permissions: [billing:read]", ""].join("\n"),
      "projects/search.yaml": ["projects:", "  - name: Search", "    roles: []", ""].join("\n"),
    });
    expect(names(desired.organization?.policies)).toEqual(["P"]);
    expect(desired.organization).not.toHaveProperty("roles");
    expect(desired.organization?.roles).toBeUndefined();
    const [search] = desired.projects;
    expect(desired.projects).toHaveLength(1);
    expect(search?.policies).toBeUndefined();
    expect(search?.roles).toEqual([]);
    // No Cedar key anywhere: Cedar is not managed at all.
    expect(desired.cedar).toBeUndefined();
  });

  it("`roles: []` and `policies: []` are kept as [] (delete every unprotected live one), even beside a file that leaves them out", () => {
    const desired = load({
      "organization.yaml": ["organization:", "  policies: []", "  roles: []", ""].join("\n"),
      "more.yaml": ["organization: {}", ""].join("\n"),
      "cedar.yaml": ["cedar:", "  policies: []", ""].join("\n"),
    });
    expect(desired.organization?.policies).toEqual([]);
    expect(desired.organization?.roles).toEqual([]);
    expect(desired.cedar?.policies).toEqual([]);
  });

  it("[] in one file and items in another: the items", () => {
    const desired = load({
      "a.yaml": ["organization:", "  roles: []", ""].join("\n"),
      "b.yaml": [
        "organization:",
        "  policies:",
        "    - name: P",
        "      permissions: [billing:read]",
        "  roles:",
        "    - name: R",
        "      policies: [P]",
        "",
      ].join("\n"),
    });
    expect(names(desired.organization?.policies)).toEqual(["P"]);
    expect(names(desired.organization?.roles)).toEqual(["R"]);
  });
});

describe("loadDesiredState: a project spread over two files", () => {
  it("is one project whose collections hold the items of both files", () => {
    const desired = load({
      "projects/support-a.yaml": [
        "projects:",
        "  - name: Support Bot",
        "    policies:",
        "      - name: View traces",
        "        permissions: [trace:read]",
        "",
      ].join("\n"),
      "projects/support-b.yaml": [
        "projects:",
        "  - name: Support Bot",
        "    policies:",
        "      - name: Curate datasets",
        "        permissions: [dataset:read]",
        "    roles:",
        "      - name: Analyst",
        "        policies: [View traces, Curate datasets]",
        "  - name: Search",
        "    policies: []",
        "",
      ].join("\n"),
    });
    expect(desired.projects.map((p) => p.name).sort()).toEqual(["Search", "Support Bot"]);
    const support = desired.projects.find((p) => p.name === "Support Bot")!;
    expect(names(support.policies)?.sort()).toEqual(["Curate datasets", "View traces"]);
    expect(names(support.roles)).toEqual(["Analyst"]);
    // Each item keeps the file it was written in.
    const fileOf = (name: string) => support.policies?.find((p) => p.name === name)?.loc.file ?? "";
    expect(fileOf("View traces")).toMatch(/support-a\.yaml$/);
    expect(fileOf("Curate datasets")).toMatch(/support-b\.yaml$/);
    const search = desired.projects.find((p) => p.name === "Search")!;
    expect(search.policies).toEqual([]);
    expect(search.roles).toBeUndefined();
  });

  it("the same policy in both files is an error naming both places, not a silent merge", () => {
    const text = ["projects:", "  - name: Support Bot", "    policies:", "      - name: P", "        permissions: [trace:read]", ""].join("\n");
    const dir = dirOf({ "a.yaml": text, "b.yaml": text });
    const result = loadDesiredState(dir, { env: {} });
    expect(result.desired).toBeUndefined();
    const duplicate = result.diagnostics.find((d) => d.severity === "error" && /declared twice/.test(d.message));
    expect(duplicate?.message).toMatch(/a\.yaml:\d+:\d+/);
    expect(duplicate?.file).toMatch(/b\.yaml$/);
  });
});
