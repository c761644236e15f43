/**
 * The declared universe of the decision review (SPEC sections 4a and 10): a bounded set of entities, actions and
 * contexts over which "what does this change allow or deny" is answered exactly — and said to be a universe, not
 * every possible request.
 *
 * Entities: those of the tests' entities file, every entity literal in the rules (scopes and conditions) and in
 * the access tests, and one fresh entity `Type::"__fresh__"` (no attributes, no parents; never given to the engine,
 * so never validated) for every entity type named anywhere and every principal or resource type the schema allows
 * — the stranger a rule may let in. Enumerated types use their members instead. Action entities are never
 * principals or resources.
 * Actions: the schema's (those without `appliesTo` types give no request), else those named in rules and tests.
 * Requests: principal × action × resource as the schema's `appliesTo` allows (every combination without a
 * schema), each with the access tests' contexts for that action, plus `{}` unless the schema requires a context
 * attribute. The size is computed, not enumerated, so a universe too large to evaluate costs nothing to measure.
 */
import type { EntityRef } from "../cedar/assemble.js";
import type { EntityJson } from "../cedar/engine.js";
import { checkEntities, uidKey } from "../cedar/entity-index.js";
import { stableJson } from "../json/stable-json.js";
import { compareRefs, isActionType, keyOf, literalOf, parseLiteral, refOf, typeOfKey } from "./entity-keys.js";
import { Hierarchy } from "./hierarchy.js";
import { ruleFacts } from "./rule-facts.js";
import { readSchema } from "./schema-info.js";
import type { SchemaInfo } from "./schema-info.js";

export const FRESH_ID = "__fresh__";

export interface TestRequestLike {
  principal: string;
  action: string;
  resource: string;
  context?: Record<string, unknown>;
}

export interface UniverseInput {
  /** Cedar schema text (or JSON schema text). */
  schema?: string;
  /** The tests' entities file: a JSON array of Cedar entities. */
  entities?: unknown;
  /** The text of every live and desired rule. */
  rules: readonly string[];
  tests?: readonly TestRequestLike[];
}

export interface UniverseAction {
  ref: EntityRef;
  /** `Action::"view"`, as outputs show it. */
  literal: string;
  principals: readonly EntityRef[];
  resources: readonly EntityRef[];
  contexts: readonly Record<string, unknown>[];
}

export interface Universe {
  /** Built from a schema that parses. */
  schema: boolean;
  schemaInfo?: SchemaInfo;
  /** Every principal or resource candidate, sorted by type then id. */
  entities: readonly EntityRef[];
  /** Sorted by literal. */
  actions: readonly UniverseAction[];
  /** Number of requests: Σ over actions of principals × resources × contexts. */
  size: number;
  hierarchy: Hierarchy;
  /**
   * The schema parses and the entities file conforms to it: the engine evaluates with the schema, and its type
   * analysis (request environments) describes what evaluation can do.
   */
  typed: boolean;
  /** Why something was left out (a test literal that does not parse, a schema that does not). */
  notes: string[];
}

export function buildUniverse(input: UniverseInput): Universe {
  const notes: string[] = [];
  const schemaInfo = input.schema === undefined ? undefined : readSchema(input.schema);
  if (input.schema !== undefined && !schemaInfo) notes.push("the schema does not parse: the universe is built without it");

  const fileEntities: EntityJson[] = Array.isArray(input.entities) ? (input.entities as EntityJson[]) : [];
  if (input.entities !== undefined && !Array.isArray(input.entities)) notes.push("the entities file is not a JSON array: its entities are left out");

  const named = new Set<string>();
  const entities = new Map<string, EntityRef>();
  const actionsNamed = new Map<string, EntityRef>();
  const addEntity = (key: string) => {
    const type = typeOfKey(key);
    if (isActionType(type)) actionsNamed.set(key, refOf(key));
    else {
      entities.set(key, refOf(key));
      named.add(type);
    }
  };

  for (const e of fileEntities) {
    if (e && typeof e === "object" && e.uid) addEntity(uidKey(e.uid));
  }
  for (const text of input.rules) {
    const { literals, types } = ruleFacts(text);
    literals.forEach(addEntity);
    for (const t of types) if (!isActionType(t)) named.add(t);
  }
  const tests = input.tests ?? [];
  const testActions: (string | undefined)[] = [];
  for (const tc of tests) {
    for (const part of ["principal", "resource"] as const) {
      const ref = parseLiteral(tc[part]);
      if (ref) addEntity(keyOf(ref));
      else notes.push(`access test ${part} ${JSON.stringify(tc[part])} is not an entity literal: left out`);
    }
    const action = parseLiteral(tc.action, true);
    testActions.push(action ? keyOf(action) : undefined);
    if (action) actionsNamed.set(keyOf(action), action);
    contextRefs(tc.context, addEntity);
  }

  if (schemaInfo) {
    for (const t of schemaInfo.entityTypes) named.add(t);
    for (const a of schemaInfo.actions) for (const t of [...a.principalTypes, ...a.resourceTypes]) named.add(t);
  }
  for (const type of named) {
    const members = schemaInfo?.enums.get(type);
    if (members) for (const id of members) entities.set(keyOf({ type, id }), { type, id });
    else if (!isActionType(type)) entities.set(keyOf({ type, id: FRESH_ID }), { type, id: FRESH_ID });
  }

  const sorted = [...entities.values()].sort(compareRefs);
  const byType = new Map<string, EntityRef[]>();
  for (const e of sorted) {
    const list = byType.get(e.type);
    if (list) list.push(e);
    else byType.set(e.type, [e]);
  }
  const ofTypes = (types: readonly string[]) => [...new Set(types)].sort().flatMap((t) => byType.get(t) ?? []);

  const contextsFor = (actionKey: string, required: boolean): Record<string, unknown>[] => {
    const seen = new Set<string>();
    const out: Record<string, unknown>[] = [];
    const add = (ctx: Record<string, unknown>) => {
      const key = stableJson(ctx);
      if (seen.has(key)) return;
      seen.add(key);
      out.push(ctx);
    };
    tests.forEach((tc, i) => {
      if (testActions[i] === actionKey) add(tc.context ?? {});
    });
    if (!required) add({});
    return out;
  };

  let actions: UniverseAction[];
  if (schemaInfo) {
    actions = schemaInfo.actions
      .filter((a) => a.principalTypes.length > 0 && a.resourceTypes.length > 0)
      .map((a) => ({
        ref: a.ref,
        literal: literalOf(a.ref),
        principals: ofTypes(a.principalTypes),
        resources: ofTypes(a.resourceTypes),
        contexts: contextsFor(keyOf(a.ref), a.contextRequired),
      }));
  } else {
    actions = [...actionsNamed.values()].map((ref) => ({
      ref,
      literal: literalOf(ref),
      principals: sorted,
      resources: sorted,
      contexts: contextsFor(keyOf(ref), false),
    }));
  }
  actions.sort((a, b) => compareRefs(a.ref, b.ref));

  const size = actions.reduce((n, a) => n + a.principals.length * a.resources.length * a.contexts.length, 0);
  const hierarchy = new Hierarchy(fileEntities, schemaInfo?.actions ?? []);
  const typed = schemaInfo !== undefined && input.schema !== undefined && checkEntities(fileEntities, input.schema).length === 0;
  return { schema: schemaInfo !== undefined, ...(schemaInfo ? { schemaInfo } : {}), entities: sorted, actions, size, hierarchy, typed, notes };
}

/** Entity references (`{__entity: {type, id}}`) anywhere in a test's context. */
function contextRefs(value: unknown, add: (key: string) => void): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const v of value) contextRefs(v, add);
    return;
  }
  const ent = (value as { __entity?: { type?: unknown; id?: unknown } }).__entity;
  if (ent && typeof ent.type === "string" && typeof ent.id === "string") add(keyOf({ type: ent.type, id: ent.id }));
  for (const v of Object.values(value)) contextRefs(v, add);
}
