/** action.yml declares the inputs and outputs of README.md#github-action and runs the committed bundle. */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

it("action.yml runs dist-action/index.js on node24 with the README's inputs and outputs", () => {
  const a = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
    runs: { using: string; main: string };
    inputs: Record<string, { default?: string; required?: boolean }>;
    outputs: Record<string, unknown>;
  };
  expect(a.runs).toEqual({ using: "node24", main: "dist-action/index.js" });
  expect(Object.keys(a.inputs).sort()).toEqual(["command", "comment", "concurrency", "force", "github-token", "path", "require-reviewed-plan"]);
  expect(a.inputs["path"]!.default).toBe(".");
  expect(a.inputs["github-token"]!.default).toBe("${{ github.token }}");
  expect(a.inputs["comment"]!.default).toBe("true");
  expect(a.inputs["require-reviewed-plan"]!.default).toBe("true");
  expect(a.inputs["force"]!.default).toBe("false");
  expect(Object.keys(a.outputs).sort()).toEqual(["checksum", "has-changes", "plan-file", "summary"]);
});
