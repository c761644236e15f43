/**
 * The one door to `@cedar-policy/cedar-wasm`. Every other module goes through these wrappers, so that
 * (a) the wasm package is imported in exactly one place and (b) a test can count engine calls and prove that
 * checking 10,000 rules costs one parse call and one validate call, not 10,000.
 *
 * The `nodejs` entry is used because the package root (the web/ESM build) fails to load on Node 20.
 */
// First, before the engine loads: engine-memory.ts notes the engine's allocator as it is instantiated.
import { engineLoaded } from "./engine-memory.js";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type {
  AuthorizationAnswer,
  AuthorizationCall,
  CheckParseAnswer,
  EntitiesParsingCall,
  GetValidRequestEnvsResult,
  Policy,
  PolicySet,
  PolicyToJsonAnswer,
  PolicyToTextAnswer,
  Schema,
  SchemaToJsonAnswer,
  StatefulAuthorizationCall,
  ValidationAnswer,
  ValidationCall,
} from "@cedar-policy/cedar-wasm/nodejs";

export type {
  AuthorizationAnswer,
  CedarValueJson,
  Clause,
  DetailedError,
  EntityJson,
  EntityUidJson,
  PolicyJson,
  PolicySet,
  Schema,
  SchemaJson,
  SourceLabel,
  ValidationAnswer,
} from "@cedar-policy/cedar-wasm/nodejs";

export type EngineFunction =
  | "checkParsePolicySet"
  | "checkParseEntities"
  | "policyToJson"
  | "policyToText"
  | "validate"
  | "isAuthorized"
  | "statefulIsAuthorized"
  | "preparsePolicySet"
  | "preparseSchema"
  | "schemaToJson"
  | "getValidRequestEnvsPolicy";

engineLoaded();

const counts = new Map<EngineFunction, number>();

function count(fn: EngineFunction): void {
  counts.set(fn, (counts.get(fn) ?? 0) + 1);
}

/** Calls per engine function since the last reset (functions never called are absent). */
export function engineCallCounts(): Partial<Record<EngineFunction, number>> {
  return Object.fromEntries(counts) as Partial<Record<EngineFunction, number>>;
}

export function resetEngineCallCounts(): void {
  counts.clear();
}

export function checkParsePolicySet(policies: PolicySet): CheckParseAnswer {
  count("checkParsePolicySet");
  return cedar.checkParsePolicySet(policies);
}

/**
 * Answers of the pure checks that one run asks again for the same input (the access tests, the invariants, the
 * hygiene checks and the decision review each check the tests' entities and read the schema): kept per input,
 * so each costs one engine call a run. Keyed by the entities array itself (never copied, never changed once
 * loaded) and by the schema's text; only the latest few are kept.
 */
const entitiesChecked = new WeakMap<object, Map<string, CheckParseAnswer>>();
const schemasAsJson = new Map<string, SchemaToJsonAnswer>();
const SCHEMAS_KEPT = 4;

export function checkParseEntities(call: EntitiesParsingCall): CheckParseAnswer {
  const schemaKey = typeof call.schema === "string" ? call.schema : call.schema === undefined || call.schema === null ? "" : undefined;
  const byEntities = typeof call.entities === "object" && call.entities !== null && schemaKey !== undefined ? call.entities : undefined;
  const known = byEntities ? entitiesChecked.get(byEntities)?.get(schemaKey!) : undefined;
  if (known) return known;
  count("checkParseEntities");
  const answer = cedar.checkParseEntities(call);
  if (byEntities) {
    const bySchema = entitiesChecked.get(byEntities) ?? new Map<string, CheckParseAnswer>();
    bySchema.set(schemaKey!, answer);
    entitiesChecked.set(byEntities, bySchema);
  }
  return answer;
}

export function policyToJson(policy: Policy): PolicyToJsonAnswer {
  count("policyToJson");
  return cedar.policyToJson(policy);
}

export function policyToText(policy: Policy): PolicyToTextAnswer {
  count("policyToText");
  return cedar.policyToText(policy);
}

export function validate(call: ValidationCall): ValidationAnswer {
  count("validate");
  return cedar.validate(call);
}

export function isAuthorized(call: AuthorizationCall): AuthorizationAnswer {
  count("isAuthorized");
  return cedar.isAuthorized(call);
}

export function statefulIsAuthorized(call: StatefulAuthorizationCall): AuthorizationAnswer {
  count("statefulIsAuthorized");
  return cedar.statefulIsAuthorized(call);
}

/**
 * Caches a parsed policy set inside the wasm instance under `id`. The engine offers no way to drop an entry,
 * so callers use content-derived ids: preparing the same rules twice reuses one slot instead of growing.
 */
export function preparsePolicySet(id: string, policies: PolicySet): CheckParseAnswer {
  count("preparsePolicySet");
  return cedar.preparsePolicySet(id, policies);
}

export function preparseSchema(name: string, schema: Schema): CheckParseAnswer {
  count("preparseSchema");
  return cedar.preparseSchema(name, schema);
}

export function schemaToJson(schema: Schema): SchemaToJsonAnswer {
  const known = typeof schema === "string" ? schemasAsJson.get(schema) : undefined;
  if (known) return known;
  count("schemaToJson");
  const answer = cedar.schemaToJson(schema);
  if (typeof schema === "string") {
    if (schemasAsJson.size >= SCHEMAS_KEPT) schemasAsJson.delete(schemasAsJson.keys().next().value!);
    schemasAsJson.set(schema, answer);
  }
  return answer;
}

/**
 * The request environments (principal types, actions, resource types) under which the policy type-checks against
 * the schema, as flat lists. An environment in which the policy cannot be true (or cannot type-check) is absent.
 */
export function getValidRequestEnvsPolicy(policy: Policy, schema: Schema): GetValidRequestEnvsResult {
  count("getValidRequestEnvsPolicy");
  return cedar.getValidRequestEnvsPolicy(policy, schema);
}
