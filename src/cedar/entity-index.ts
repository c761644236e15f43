/**
 * The entities one request can reach. The engine re-reads every entity it is given on every call (~10 ms per
 * 1,000 entities), so each access test passes only what evaluation can touch: the request's principal,
 * action and resource, entities named in context, entities named as literals in rule conditions, and from
 * there, transitively, their parents and every entity their attributes or tags refer to. Cedar has no other
 * way to reach entity data, so the decision is the same as with the whole file.
 *
 * Also here: the checks of an entities file against a schema, and the schema's action entities.
 */
import { checkParseEntities, schemaToJson } from "./engine.js";
import type { EntityJson, Schema, SchemaJson } from "./engine.js";
import { codeTokens, decodeCedarString, statementShape } from "./lexer.js";

export { uidKey } from "./entity-key.js";
import { uidKey } from "./entity-key.js";

/** Entity references anywhere inside a JSON value: `{__entity: {type, id}}`, or `{type, id}` (schema form). */
function collectRefs(value: unknown, out: string[]): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, out);
    return;
  }
  const obj = value as Record<string, unknown>;
  const ent = obj.__entity as Record<string, unknown> | undefined;
  if (ent && typeof ent.type === "string" && typeof ent.id === "string") out.push(uidKey({ type: ent.type, id: ent.id }));
  // Over-including a record that merely looks like a reference is harmless; missing a reference is not.
  if (typeof obj.type === "string" && typeof obj.id === "string") out.push(uidKey({ type: obj.type, id: obj.id }));
  for (const v of Object.values(obj)) collectRefs(v, out);
}

/**
 * Entity literals (`A::B::"id"`) in the conditions of a rule, i.e. after the scope's closing parenthesis.
 * Scope literals are not collected: `principal in G::"g"` reads the principal's ancestors, never G's data.
 */
export function conditionLiterals(text: string): string[] {
  const tokens = codeTokens(text);
  const out: string[] = [];
  const { scopeEnd } = statementShape(tokens);
  // Text without a scope does not parse; its rule is dropped before evaluation.
  if (scopeEnd < 0) return out;
  for (let i = scopeEnd + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t?.kind !== "string" || tokens[i - 1]?.text !== "::") continue;
    const path: string[] = [];
    for (let j = i - 2; j >= 0 && tokens[j]?.kind === "ident"; j -= 2) {
      path.unshift(tokens[j]?.text ?? "");
      if (tokens[j - 1]?.text !== "::") break;
    }
    const id = decodeCedarString(t.text, false);
    if (path.length > 0 && id !== undefined) out.push(uidKey({ type: path.join("::"), id }));
  }
  return out;
}

export class EntityIndex {
  private readonly byUid = new Map<string, { entity: EntityJson; refs: string[]; parents: string[] }>();

  constructor(
    entities: readonly EntityJson[],
    /** uid keys always included (entity literals in rule conditions). */
    private readonly roots: readonly string[] = [],
  ) {
    for (const entity of entities) {
      const refs: string[] = [];
      collectRefs(entity.parents, refs);
      const parents = [...refs];
      collectRefs(entity.attrs, refs);
      collectRefs(entity.tags, refs);
      this.byUid.set(uidKey(entity.uid), { entity, refs, parents });
    }
  }

  /**
   * The request's own entities and, through parents only, the ancestors that have parents themselves: all that
   * evaluation needs when the rules read attributes of the principal, action, resource and context only (never
   * of an entity an attribute names, never of an entity literal). `in` needs a chain's inner links; an ancestor
   * with no parents adds nothing to it, and its data is never read. Roots are not included.
   */
  ancestry(requestUids: readonly string[]): EntityJson[] {
    const out: EntityJson[] = [];
    const seen = new Set<string>(requestUids);
    const queue: string[] = [];
    for (const key of seen) {
      const hit = this.byUid.get(key);
      if (!hit) continue;
      out.push(hit.entity);
      queue.push(...hit.parents);
    }
    while (queue.length > 0) {
      const key = queue.pop() as string;
      if (seen.has(key)) continue;
      seen.add(key);
      const hit = this.byUid.get(key);
      if (!hit || hit.parents.length === 0) continue;
      out.push(hit.entity);
      queue.push(...hit.parents);
    }
    return out;
  }

  /** The entities reachable from the request's uid keys and context (cost: what is reached, not the file). */
  reachable(requestUids: readonly string[], context: unknown): EntityJson[] {
    const queue = [...requestUids, ...this.roots];
    collectRefs(context, queue);
    const seen = new Set<string>();
    const out: EntityJson[] = [];
    while (queue.length > 0) {
      const key = queue.pop() as string;
      if (seen.has(key)) continue;
      seen.add(key);
      const hit = this.byUid.get(key);
      if (!hit) continue;
      out.push(hit.entity);
      queue.push(...hit.refs);
    }
    return out;
  }
}

/** Warnings for entities the engine would not accept (against the schema, when given). At most one: Cedar stops at the first. */
export function checkEntities(entities: unknown, schema?: string): string[] {
  if (!Array.isArray(entities)) return ["the entities file must hold a JSON array of Cedar entities"];
  const call = { entities: entities as EntityJson[], ...(schema === undefined ? {} : { schema }) };
  const answer = checkParseEntities(call);
  return answer.type === "success" ? [] : answer.errors.map((e) => e.message);
}

/**
 * The schema's action entities with their groups (`memberOf`), for evaluating without the schema (the engine
 * adds them itself when given the schema). Undefined when the schema does not parse.
 */
export function schemaActionEntities(schema: Schema): EntityJson[] | undefined {
  const answer = schemaToJson(schema);
  if (answer.type !== "success") return undefined;
  const out: EntityJson[] = [];
  for (const [ns, def] of Object.entries(answer.json)) {
    const actionType = ns === "" ? "Action" : `${ns}::Action`;
    for (const [id, action] of Object.entries(def.actions)) {
      out.push({ uid: { type: actionType, id }, attrs: {}, parents: actionParents(answer.json, ns, action.memberOf ?? []) });
    }
  }
  return out;
}

/**
 * The groups (`memberOf`) of an action of namespace `ns`, as Cedar resolves them: a group whose type is left out or
 * unqualified (`Action::"g"`, `"g"`) is the namespace's `NS::Action::"g"` when the namespace declares `g`, else the
 * empty namespace's `Action::"g"` (a namespace may not redeclare one of those). Every reader of the schema's action
 * groups goes through here, so that evaluating without the schema and the decision review agree with the engine.
 */
export function actionParents(
  json: SchemaJson<string>,
  ns: string,
  memberOf: readonly { type?: string; id: string }[],
): { type: string; id: string }[] {
  return memberOf.map((m) => {
    if (m.type !== undefined && m.type.includes("::")) return { type: m.type, id: m.id };
    const own = ns !== "" && Object.hasOwn(json[ns]?.actions ?? {}, m.id);
    return { type: own ? `${ns}::Action` : "Action", id: m.id };
  });
}
