/**
 * The floor process of the performance goals (README.md#performance): what any tool must do with the generated
 * desired state before it can plan — read every file, parse the YAML, and make the one Cedar validation call over
 * all rules against the schema — and nothing else (no schema check of the YAML, no references, no live state).
 * `plan10k_s / floor10k_s` says how close a plan of the same files comes to it.
 *
 *   node dist/bench/floor.js <desired-state dir>     prints "<files> files, <rules> rules, <errors> errors"
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseAllDocuments } from "yaml";
import { validate } from "../src/cedar/engine.js";
import { textOf, type Scope } from "./generate.js";

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const path = join(d, e.name);
      if (e.isDirectory()) stack.push(path);
      else if (/\.ya?ml$/.test(e.name)) out.push(path);
    }
  }
  return out.sort();
}

interface RuleDoc {
  cedar?: string;
  effect?: string;
  principal?: Scope;
  action?: Scope;
  resource?: Scope;
  when?: string | string[];
  unless?: string;
}

interface PolicyDoc {
  rules: RuleDoc[] | { file: string };
}

function main(dir: string): void {
  const texts: string[] = [];
  let schema: string | undefined;
  const files = yamlFiles(dir);
  for (const path of files) {
    const text = readFileSync(path, "utf8");
    for (const doc of parseAllDocuments(text)) {
      const value = doc.toJS() as { cedar?: { schema?: string; policies?: PolicyDoc[] } } | null;
      const cedar = value?.cedar;
      if (!cedar) continue;
      if (cedar.schema) schema = readFileSync(join(dirname(path), cedar.schema), "utf8");
      for (const p of cedar.policies ?? []) {
        if (!Array.isArray(p.rules)) {
          texts.push(readFileSync(join(dirname(path), p.rules.file), "utf8"));
          continue;
        }
        for (const r of p.rules) {
          texts.push(r.cedar ?? textOf(r.effect ?? "permit", r.principal, r.action, r.resource, { ...(r.when !== undefined ? { when: r.when } : {}), ...(r.unless !== undefined ? { unless: r.unless } : {}) }));
        }
      }
    }
  }
  if (schema === undefined) throw new Error("the floor needs a Cedar schema in the files");
  const answer = validate({ schema, policies: { staticPolicies: texts.join("\n") }, validationSettings: { mode: "strict" } });
  const errors = answer.type === "success" ? answer.validationErrors.length : answer.errors.length;
  process.stdout.write(`${files.length} files, ${texts.length} rule texts, ${errors} errors\n`);
  if (errors > 0) process.exitCode = 1;
}

main(process.argv[2] ?? ".");
