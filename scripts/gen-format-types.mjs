/**
 * Writes src/desired/file-format.generated.ts from schemas/accessctl.schema.json: the JSON Schema is the one
 * definition of the file format (ajv checks files against it at run time, editors read it through `$schema`), and
 * the TypeScript types of a file follow from it here. test/unit/schema-types.test.ts regenerates in memory and
 * fails when the committed file is stale: after editing the schema, run `npm run gen:format`.
 *
 * What becomes a named type (everything else is written inline):
 * - the root object: named after the schema's `$id` (`accessctl.schema.json` → `AccessctlFile`);
 * - an object with `properties`: named by its `title`, else by its `$defs` key (`cedarPolicy` → `CedarPolicyFile`).
 *   An object outside `$defs` must have a title, so every type has a readable name;
 * - an object whose `oneOf` branches only add `required` / `not: {required}` (a rule is one form or the other):
 *   one interface per branch (named by the branch's title), the keys a branch forbids typed `?: never`, and the
 *   object's type their union;
 * - an `enum` in `$defs`: a constant of its values (`effect` → `EFFECTS`) and a type (`Effect`);
 * - and the root's keys as a constant (`ACCESSCTL_FILE_KEYS`).
 * Descriptions become doc comments (a `$ref` without its own description takes its target's). Checks the types
 * cannot say (patterns, ranges, `minProperties`, a `not` that forbids combinations) stay in the schema only: the
 * types are never narrower than the schema. A keyword this script does not know stops it, so that no part of the
 * schema is silently left out of the types.
 *
 * Plain Node (no dependencies, no build step), so the test can import `generateFormatTypes`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SCHEMA_FILE = "schemas/accessctl.schema.json";
export const TYPES_FILE = "src/desired/file-format.generated.ts";

/** Keywords that only constrain values or annotate: the types are (at most) wider than the schema there. */
const VALIDATION_ONLY = new Set([
  "$schema",
  "$id",
  "$defs",
  "title",
  "description",
  "examples",
  "default",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "not",
]);
const SHAPE = new Set(["$ref", "type", "properties", "required", "additionalProperties", "items", "enum", "oneOf", "anyOf"]);

const WIDTH = 118;

/** The TypeScript source for `schema` (a parsed JSON Schema). Deterministic: the same schema gives the same text. */
export function generateFormatTypes(schema) {
  const names = new Map(); // schema node → type name
  const defKeys = new Map(); // $defs node → its key
  for (const [key, def] of Object.entries(schema.$defs ?? {})) defKeys.set(def, key);

  const resolveRef = (ref) => {
    if (!ref.startsWith("#")) throw new Error(`only local $refs are supported: ${ref}`);
    let node = schema;
    for (const raw of ref.slice(1).split("/").filter((p) => p !== "")) {
      node = node?.[raw.replace(/~1/g, "/").replace(/~0/g, "~")];
      if (node === undefined) throw new Error(`$ref ${ref} points at nothing`);
    }
    return node;
  };
  const deref = (node) => {
    let n = node;
    for (let i = 0; n.$ref !== undefined; i++) {
      if (i > 20) throw new Error(`$ref loop at ${node.$ref}`);
      n = resolveRef(n.$ref);
    }
    return n;
  };

  const isObjectWithProperties = (n) => n.properties !== undefined;
  const isEnumDef = (n) => n.enum !== undefined && defKeys.has(n);
  const isNamed = (n) => n === schema || isObjectWithProperties(n) || isEnumDef(n);

  const nameOf = (node, where) => {
    const known = names.get(node);
    if (known) return known;
    let name;
    if (node === schema) name = pascal(String(schema.$id ?? "").replace(/^.*\//, "").replace(/\.schema\.json$/, "")) + "File";
    else if (isEnumDef(node)) name = pascal(defKeys.get(node));
    else name = fileName(node.title ?? defKeys.get(node), where);
    if ([...names.values()].includes(name)) throw new Error(`two types would be named ${name} (at ${where}): give one a different title`);
    names.set(node, name);
    queue.push({ node, where });
    return name;
  };

  const queue = [];
  const out = [];

  /** The inline TypeScript type of a schema node; named nodes are referred to by name (and declared later). */
  const typeOf = (node, where) => {
    checkKeywords(node, where);
    if (node.$ref !== undefined) {
      const target = deref(node);
      return isNamed(target) ? nameOf(target, node.$ref) : typeOf(target, node.$ref);
    }
    if (isNamed(node)) return nameOf(node, where);
    if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
    const union = node.oneOf ?? node.anyOf;
    if (union !== undefined) {
      if (node.type !== undefined) throw new Error(`${where}: \`type\` beside \`oneOf\`/\`anyOf\` is not supported`);
      return unique(union.map((b, i) => typeOf(b, `${where}/oneOf/${i}`))).join(" | ");
    }
    const types = [].concat(node.type ?? []);
    if (types.length === 0) throw new Error(`${where}: a schema without \`type\` (or $ref, enum, oneOf) is not supported`);
    return unique(types.map((t) => primitive(node, t, where))).join(" | ");
  };

  const primitive = (node, t, where) => {
    switch (t) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "null":
        return "null";
      case "array": {
        if (node.items === undefined) return "unknown[]";
        const item = typeOf(node.items, `${where}/items`);
        return /[|&]/.test(item) ? `(${item})[]` : `${item}[]`;
      }
      case "object":
        if (node.additionalProperties === false) throw new Error(`${where}: an object that allows no keys is not supported`);
        return "Record<string, unknown>";
      default:
        throw new Error(`${where}: type ${t} is not supported`);
    }
  };

  /** Property lines of an object; `never` keys (a oneOf branch's forbidden ones) are typed away. */
  const members = (node, where, required, never) => {
    const lines = [];
    for (const [key, prop] of Object.entries(node.properties)) {
      const at = `${where}/properties/${key}`;
      if (never.has(key)) {
        lines.push(`  ${propertyKey(key)}?: never;`);
        continue;
      }
      const target = prop.$ref !== undefined ? deref(prop) : prop;
      lines.push(...docComment(prop.description ?? target.description, prop.default ?? target.default, "  "));
      lines.push(`  ${propertyKey(key)}${required.has(key) ? "" : "?"}: ${typeOf(prop, at)};`);
    }
    return lines;
  };

  const declareObject = (node, where, name) => {
    checkKeywords(node, where);
    if (node.additionalProperties !== false) throw new Error(`${where}: objects with properties must set additionalProperties: false`);
    const required = new Set(node.required ?? []);
    for (const key of required) if (!(key in node.properties)) throw new Error(`${where}: required key ${key} is not among the properties`);
    const branches = node.oneOf ?? node.anyOf;
    if (branches === undefined) {
      out.push(...docComment(node.description, undefined, ""), `export interface ${name} {`, ...members(node, where, required, new Set()), "}", "");
      if (node === schema) {
        // The top-level keys: what makes a YAML file an accessctl file at all.
        const keys = Object.keys(node.properties).map((k) => JSON.stringify(k));
        out.push(`/** The top-level keys of ${name}. */`, `export const ${constantCase(name)}_KEYS = [${keys.join(", ")}] as const satisfies readonly (keyof ${name})[];`, "");
      }
      return;
    }
    // Each branch adds `required` keys and may forbid others (`not: {required: [k]}` or an `anyOf` of those).
    const forms = branches.map((b, i) => {
      const at = `${where}/oneOf/${i}`;
      const extra = Object.keys(b).filter((k) => !["title", "description", "required", "not"].includes(k));
      if (extra.length > 0) throw new Error(`${at}: a branch of an object may only add required/not (found ${extra.join(", ")})`);
      if (b.title === undefined) throw new Error(`${at}: a branch needs a title (it names the branch's type)`);
      return { name: fileName(b.title, at), description: b.description, required: new Set([...required, ...(b.required ?? [])]), never: forbidden(b.not, at) };
    });
    out.push(...docComment(node.description, undefined, ""), `export type ${name} = ${forms.map((f) => f.name).join(" | ")};`, "");
    for (const f of forms) {
      if ([...names.values()].includes(f.name)) throw new Error(`two types would be named ${f.name}`);
      names.set(f, f.name);
      out.push(...docComment(f.description, undefined, ""), `export interface ${f.name} {`, ...members(node, where, f.required, f.never), "}", "");
    }
  };

  const declareEnum = (node, name) => {
    const constant = constantCase(plural(defKeys.get(node)));
    out.push(
      ...docComment(node.description, undefined, ""),
      `export const ${constant} = [${node.enum.map((v) => JSON.stringify(v)).join(", ")}] as const;`,
      ...docComment(node.description, undefined, ""),
      `export type ${name} = (typeof ${constant})[number];`,
      "",
    );
  };

  nameOf(schema, "#");
  let declared = 0;
  const drain = () => {
    for (; declared < queue.length; declared++) {
      const { node, where } = queue[declared];
      if (isEnumDef(node)) declareEnum(node, names.get(node));
      else declareObject(node, where, names.get(node));
    }
  };
  drain();
  // An enum definition nothing refers to still gets its constant (code may list the values).
  for (const def of defKeys.keys()) {
    if (isEnumDef(def) && !names.has(def)) {
      nameOf(def, `#/$defs/${defKeys.get(def)}`);
      drain();
    }
  }

  const header = [
    "// Generated by scripts/gen-format-types.mjs from schemas/accessctl.schema.json: do not edit.",
    "// Change the schema, then run `npm run gen:format`; test/unit/schema-types.test.ts fails until they agree.",
    "",
  ];
  return header.join("\n") + "\n" + out.join("\n").trimEnd() + "\n";
}

function checkKeywords(node, where) {
  if (node === null || typeof node !== "object" || Array.isArray(node)) throw new Error(`${where}: not a schema object`);
  const unknown = Object.keys(node).filter((k) => !VALIDATION_ONLY.has(k) && !SHAPE.has(k));
  if (unknown.length > 0) throw new Error(`${where}: keyword ${unknown.join(", ")} is not supported by scripts/gen-format-types.mjs`);
}

/** Keys a oneOf branch forbids: `not: {required: [k]}`, or `not: {anyOf: [{required: [k]}, …]}`. */
function forbidden(not, where) {
  if (not === undefined) return new Set();
  const alternatives = not.anyOf ?? [not];
  const keys = alternatives.map((a) => {
    if (Object.keys(a).some((k) => k !== "required") || a.required?.length !== 1) {
      throw new Error(`${where}/not: a branch may only forbid single keys ({required: [k]})`);
    }
    return a.required[0];
  });
  return new Set(keys);
}

function pascal(text) {
  return String(text)
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/** Object types end in `File`: they describe what is written in a file, beside the merged `Desired…` types. */
function fileName(text, where) {
  if (text === undefined) throw new Error(`${where}: an object outside $defs needs a title (it names its type)`);
  const name = pascal(text);
  return name.endsWith("File") ? name : `${name}File`;
}

function constantCase(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

function plural(word) {
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + "ies";
  if (/(s|x|ch|sh)$/.test(word)) return word + "es";
  return word + "s";
}

function propertyKey(key) {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

function unique(xs) {
  return [...new Set(xs)];
}

/** A `/** … *\/` comment, on one line when it fits, else wrapped at word boundaries. */
function docComment(description, defaultValue, indent) {
  const parts = [];
  if (description !== undefined) parts.push(String(description).replace(/\*\//g, "*\\/"));
  if (defaultValue !== undefined) parts.push(`@default ${JSON.stringify(defaultValue)}`);
  if (parts.length === 0) return [];
  const one = `${indent}/** ${parts.join(" ")} */`;
  if (one.length <= WIDTH && defaultValue === undefined) return [one];
  const lines = [`${indent}/**`];
  for (const part of parts) {
    let line = "";
    for (const word of part.split(/\s+/)) {
      if (line !== "" && indent.length + 3 + line.length + 1 + word.length > WIDTH) {
        lines.push(`${indent} * ${line}`);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
    if (line !== "") lines.push(`${indent} * ${line}`);
  }
  lines.push(`${indent} */`);
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const schema = JSON.parse(readFileSync(join(ROOT, SCHEMA_FILE), "utf8"));
  writeFileSync(join(ROOT, TYPES_FILE), generateFormatTypes(schema));
  process.stdout.write(`${TYPES_FILE}: written from ${SCHEMA_FILE}\n`);
}
