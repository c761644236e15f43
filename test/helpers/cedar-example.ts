/**
 * Turns one shared Cedar use case (policies.cedar, policies.cedarschema, entities.json, ALLOW/ and DENY/
 * requests) into an accessctl desired-state directory: one Cedar policy whose rules come from the file, the
 * schema as `cedar.schema`, every request as an access test. Rules of equal meaning (document_cloud repeats one)
 * go into a second policy of the same priority, since two equal rules in one policy are invalid (docs/file-format.md#rules)
 * while the same rule in two policies of one priority group decides the same way.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findDuplicateRules } from "../../src/cedar/check-rules.js";
import { splitStatements } from "../../src/cedar/split.js";

export interface ExampleRequest {
  name: string;
  expect: "allow" | "deny";
  principal: string;
  action: string;
  resource: string;
  context: Record<string, unknown>;
}

export function readRequests(caseDir: string): ExampleRequest[] {
  const out: ExampleRequest[] = [];
  for (const expect of ["allow", "deny"] as const) {
    const dir = join(caseDir, expect.toUpperCase());
    for (const f of readdirSync(dir).sort()) {
      const r = JSON.parse(readFileSync(join(dir, f), "utf8")) as Omit<ExampleRequest, "name" | "expect">;
      out.push({ name: `${expect} ${f.replace(/\.json$/, "")}`, expect, principal: r.principal, action: r.action, resource: r.resource, context: r.context ?? {} });
    }
  }
  return out;
}

export function writeExampleDesiredState(caseDir: string, name: string, outDir: string, schemaRef = ""): ExampleRequest[] {
  const text = readFileSync(join(caseDir, "policies.cedar"), "utf8");
  const statements = splitStatements(text);
  const dupes = new Set(findDuplicateRules(statements.map((s, i) => ({ key: String(i), text: s.text }))).flatMap((g) => g.slice(1)));
  const main = statements.filter((_, i) => !dupes.has(String(i))).map((s) => s.text);
  const extra = statements.filter((_, i) => dupes.has(String(i))).map((s) => s.text);
  mkdirSync(join(outDir, "cedar"), { recursive: true });
  writeFileSync(join(outDir, "cedar", "policies.cedar"), main.join("\n\n") + "\n");
  if (extra.length) writeFileSync(join(outDir, "cedar", "repeated.cedar"), extra.join("\n\n") + "\n");
  writeFileSync(join(outDir, "cedar", "schema.cedarschema"), readFileSync(join(caseDir, "policies.cedarschema")));
  writeFileSync(join(outDir, "cedar", "entities.json"), readFileSync(join(caseDir, "entities.json")));
  const requests = readRequests(caseDir);
  const yaml = [
    ...(schemaRef ? [`# yaml-language-server: $schema=${schemaRef}`] : []),
    "cedar:",
    "  schema: ./cedar/schema.cedarschema",
    "  policies:",
    `    - name: ${name}`,
    "      maxDurationSeconds: 3600",
    "      rules: { file: ./cedar/policies.cedar }",
    ...(extra.length ? [`    - name: ${name}-repeated`, "      maxDurationSeconds: 3600", "      rules: { file: ./cedar/repeated.cedar }"] : []),
    "  tests:",
    "    entities: ./cedar/entities.json",
    "    cases:",
    ...requests.flatMap((r) => [
      `      - name: ${JSON.stringify(r.name)}`,
      `        principal: ${JSON.stringify(r.principal)}`,
      `        action: ${JSON.stringify(r.action)}`,
      `        resource: ${JSON.stringify(r.resource)}`,
      `        context: ${JSON.stringify(r.context)}`,
      `        expect: ${r.expect}`,
    ]),
  ];
  writeFileSync(join(outDir, "access.yaml"), yaml.join("\n") + "\n");
  return requests;
}
