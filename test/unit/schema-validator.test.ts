/**
 * The schema's validator is compiled ahead of time (`scripts/gen-schema-validator.mjs` →
 * `src/desired/schema-validator.generated.ts`) so that no cold run pays ajv's compile:
 * - the committed module is exactly what the schema generates today (else: run `npm run gen:format`);
 * - it answers exactly as ajv compiling the schema at run time with the same options: the same verdict and the same
 *   errors (keyword, paths, params, message, schema nodes) on every YAML document of the examples and of the invalid
 *   fixtures, and on values made to hit each length and shape limit;
 * - a name's length is counted in code points (an emoji is one character), as the emulator counts it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import validateFile from "../../src/desired/schema-validator.generated.js";
import { ROOT } from "../helpers/cli.js";

interface GeneratorScript {
  generateSchemaValidator(schema: unknown): string;
  AJV_OPTIONS: Record<string, unknown>;
  SCHEMA_FILE: string;
  VALIDATOR_FILE: string;
}

const script = (await import(pathToFileURL(join(ROOT, "scripts/gen-schema-validator.mjs")).href)) as GeneratorScript;
const schema = JSON.parse(readFileSync(join(ROOT, script.SCHEMA_FILE), "utf8")) as object;
const atRunTime = new Ajv2020(script.AJV_OPTIONS).compile(schema);
const generated = validateFile as unknown as { (v: unknown): boolean; errors?: ErrorObject[] | null };

function yamlValues(dir: string): { file: string; value: unknown }[] {
  const out: { file: string; value: unknown }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...yamlValues(path));
    else if (/\.ya?ml$/.test(name)) {
      for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
        if ("errors" in doc && doc.errors.length === 0) out.push({ file: path.slice(ROOT.length + 1), value: doc.toJS() });
      }
    }
  }
  return out;
}

const answer = (validate: { (v: unknown): boolean; errors?: ErrorObject[] | null }, value: unknown) => ({ valid: validate(value), errors: validate.errors ?? null });

describe("the schema validator compiled ahead of time", () => {
  it("is what the schema generates today", () => {
    const committed = readFileSync(join(ROOT, script.VALIDATOR_FILE), "utf8");
    expect(script.generateSchemaValidator(schema) === committed, `${script.VALIDATOR_FILE} is stale: run npm run gen:format`).toBe(true);
  });

  it("answers as ajv compiling the schema at run time, on every example and invalid fixture", () => {
    const values = [...yamlValues(join(ROOT, "examples")), ...yamlValues(join(ROOT, "test/fixtures"))];
    expect(values.length).toBeGreaterThan(100);
    let invalid = 0;
    for (const { file, value } of values) {
      const expected = answer(atRunTime, value);
      expect(answer(generated, value), file).toEqual(expected);
      if (!expected.valid) invalid++;
    }
    expect(invalid).toBeGreaterThan(20);
  });

  it("counts a name's length in code points, at the limit and one past it", () => {
    const file = (name: string) => ({ organization: { policies: [{ name, permissions: [] }] } });
    for (const [name, valid] of [
      ["x".repeat(256), true],
      ["🔥".repeat(256), true],
      ["x".repeat(257), false],
      [`${"🔥".repeat(256)}a`, false],
    ] as const) {
      expect(answer(generated, file(name)), `${name.length} code units`).toEqual(answer(atRunTime, file(name)));
      expect(generated(file(name))).toBe(valid);
    }
  });
});
