/**
 * The engine's request environments of a rule: the principal types, actions and resource types under which the
 * rule type-checks against the schema and can be true. `permit(principal, action, resource) when { principal is
 * Admin }` applies to Admin principals only, which no scope says.
 *
 * Sound only where the engine evaluates with the schema and the entities conform to it (the universe is
 * `typed`): the type analysis then describes evaluation. Fresh entities do not conform (they have no attributes),
 * but reading a missing attribute errors and `has` is false, so a rule the analysis rules out for an environment
 * still never matches there. It may error there, though (`resource.owner == principal && false`): an error
 * raised only in an environment the analysis rules out is not looked for.
 *
 * A rule for which the engine finds no environment at all (it type-checks nowhere, e.g. a live rule written
 * against another schema) is not narrowed: its scope alone decides where it is evaluated, so its errors show.
 */
import { parseEntityLiteral } from "../cedar/assemble.js";
import { getValidRequestEnvsPolicy } from "../cedar/engine.js";
import type { SchemaJson } from "../cedar/engine.js";
import { keyOf } from "./entity-keys.js";
import type { RuleEnv } from "./scope-index.js";

export function requestEnv(text: string, schema: SchemaJson<string>): RuleEnv | undefined {
  const answer = getValidRequestEnvsPolicy(text, schema);
  if (answer.type !== "success" || answer.actions.length === 0) return undefined;
  const actions = new Set<string>();
  for (const a of answer.actions) {
    const ref = parseEntityLiteral(a);
    // An action the engine names in a form we cannot read: do not narrow at all rather than drop it.
    if (!ref) return undefined;
    actions.add(keyOf(ref));
  }
  return { principalTypes: new Set(answer.principals), actions, resourceTypes: new Set(answer.resources) };
}
