/**
 * What the decision review needs from a Cedar schema: the entity types (enum types with their members), and per
 * action the principal and resource types it applies to, whether its context has a required attribute, and the
 * action groups it belongs to. Names are resolved to fully qualified ones (`NS::User`), as Cedar resolves them:
 * an unqualified name inside a namespace means that namespace's type when it declares one, else the type of the
 * empty namespace.
 */
import type { EntityRef } from "../cedar/assemble.js";
import { schemaToJson } from "../cedar/engine.js";
import type { Schema, SchemaJson } from "../cedar/engine.js";
import { actionParents } from "../cedar/entity-index.js";

export interface SchemaAction {
  ref: EntityRef;
  principalTypes: string[];
  resourceTypes: string[];
  /** The context declares at least one required attribute, so `{}` is not a valid context. */
  contextRequired: boolean;
  /** The action groups it is a member of (`memberOf`). */
  parents: EntityRef[];
}

export interface SchemaInfo {
  /** The parsed schema, for engine calls that take one (request environments). */
  json: SchemaJson<string>;
  /** Entity types that are not enumerations, qualified. */
  entityTypes: string[];
  /** Enumerated entity types and their members. */
  enums: Map<string, string[]>;
  actions: SchemaAction[];
}

/** Undefined when the schema does not parse (validation reports why). A schema written as JSON is accepted. */
export function readSchema(text: string): SchemaInfo | undefined {
  let schema: Schema = text;
  if (text.trimStart().startsWith("{")) {
    try {
      schema = JSON.parse(text) as Schema;
    } catch {
      return undefined;
    }
  }
  const answer = schemaToJson(schema);
  if (answer.type !== "success") return undefined;
  const json = answer.json;
  const qualify = (ns: string, name: string) => (ns === "" ? name : `${ns}::${name}`);

  const declared = new Set<string>();
  const commons = new Map<string, unknown>();
  for (const [ns, def] of Object.entries(json)) {
    for (const name of Object.keys(def.entityTypes)) declared.add(qualify(ns, name));
    for (const [name, type] of Object.entries(def.commonTypes ?? {})) commons.set(qualify(ns, name), type);
  }
  const resolve = (ns: string, name: string, known: { has(n: string): boolean }) =>
    !name.includes("::") && ns !== "" && known.has(qualify(ns, name)) ? qualify(ns, name) : name;

  const entityTypes: string[] = [];
  const enums = new Map<string, string[]>();
  const actions: SchemaAction[] = [];
  for (const [ns, def] of Object.entries(json)) {
    for (const [name, type] of Object.entries(def.entityTypes)) {
      if ("enum" in type) enums.set(qualify(ns, name), [...type.enum]);
      else entityTypes.push(qualify(ns, name));
    }
    const actionType = qualify(ns, "Action");
    for (const [id, action] of Object.entries(def.actions)) {
      const applies = action.appliesTo;
      actions.push({
        ref: { type: actionType, id },
        principalTypes: (applies?.principalTypes ?? []).map((t) => resolve(ns, t, declared)),
        resourceTypes: (applies?.resourceTypes ?? []).map((t) => resolve(ns, t, declared)),
        contextRequired: hasRequired(applies?.context, ns, commons, 0),
        // Resolved as for evaluating without the schema (`Action` means `NS::Action` when NS declares the group).
        parents: actionParents(json, ns, action.memberOf ?? []),
      });
    }
  }
  return { json, entityTypes, enums, actions };
}

/**
 * Whether a context type declares a required attribute, following common-type references. A reference that
 * cannot be resolved counts as required: offering `{}` for a context we cannot read could invent invalid requests.
 */
function hasRequired(type: unknown, ns: string, commons: ReadonlyMap<string, unknown>, depth: number): boolean {
  if (type === undefined || type === null) return false;
  if (depth > 32 || typeof type !== "object") return true;
  const t = type as { type?: string; name?: string; attributes?: Record<string, { required?: boolean }> };
  if (t.type === "Record") return Object.values(t.attributes ?? {}).some((a) => a.required !== false);
  const name = t.type === "EntityOrCommon" ? t.name : t.type;
  if (name === undefined) return true;
  const target = commons.get(!name.includes("::") && ns !== "" && commons.has(`${ns}::${name}`) ? `${ns}::${name}` : name);
  return hasRequired(target, ns, commons, depth + 1);
}
