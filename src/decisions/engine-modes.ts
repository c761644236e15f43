/**
 * How the engine is called for the decision review: with the schema when the entities conform to it, else
 * without it (the schema's action groups added as entities), and a request that does not match the schema is
 * retried without it. These are the access tests' rules (`createEvaluator` in src/cedar/evaluate.ts), so that a
 * decision shown in review is the decision `accessctl test` gives.
 */
import { createHash } from "node:crypto";
import { preparseSchema } from "../cedar/engine.js";
import type { EntityJson } from "../cedar/engine.js";
import { checkEntities, EntityIndex, schemaActionEntities, uidKey } from "../cedar/entity-index.js";

export interface EngineMode {
  index: EntityIndex;
  /** The preparsed schema's name, when evaluating with the schema. */
  schemaName?: string;
}

export interface EngineModes {
  primary: EngineMode;
  /** Without the schema, for requests the schema refuses. */
  fallback?: EngineMode;
  /** The entities as given (for the hierarchy). */
  entities: EntityJson[];
  warnings: string[];
}

export function engineModes(input: { entities?: unknown; schema?: string }): EngineModes {
  const warnings: string[] = [];
  const entities: EntityJson[] = Array.isArray(input.entities) ? (input.entities as EntityJson[]) : [];
  if (input.entities !== undefined) warnings.push(...checkEntities(input.entities, undefined));
  const plain: EngineMode = { index: new EntityIndex(entities) };
  if (input.schema === undefined) return { primary: plain, entities, warnings };

  const actions = schemaActionEntities(input.schema);
  if (actions === undefined) {
    warnings.push("the schema does not parse; evaluating without it");
    return { primary: plain, entities, warnings };
  }
  const present = new Set(entities.map((e) => uidKey(e.uid)));
  const withoutSchema: EngineMode = { index: new EntityIndex([...entities, ...actions.filter((a) => !present.has(uidKey(a.uid)))]) };
  const mismatch = warnings.length > 0 ? [] : checkEntities(entities, input.schema);
  if (warnings.length > 0 || mismatch.length > 0) {
    warnings.push(...mismatch.map((w) => `the entities do not match the schema (evaluating without it): ${w}`));
    return { primary: withoutSchema, entities, warnings };
  }
  // The same name as createEvaluator gives the same schema: the engine keeps one parsed copy.
  const schemaName = `accessctl-schema-${createHash("sha256").update(input.schema).update("\u0000").digest("hex").slice(0, 32)}`;
  const answer = preparseSchema(schemaName, input.schema);
  if (answer.type !== "success") throw new Error(`bug: a parsed schema could not be preparsed: ${answer.errors[0]?.message}`);
  return { primary: { index: plain.index, schemaName }, fallback: withoutSchema, entities, warnings };
}
