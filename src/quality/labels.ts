/** How rule-quality messages and outputs name a rule and a request: one wording for diagnostics and renderers. */
import type { RuleRef } from "../decisions/rule-refs.js";
import type { ShownRequest } from "./invariants.js";

/** `cedar/policies/p/rules/2 @id("x") (access.yaml:14)`, in diagnostics and test output. */
export function ruleLabel(ref: RuleRef): string {
  return labelled(ref, (where) => ` (${where})`);
}

/** `cedar/policies/p/rules/2 @id("x") at access.yaml:14`, in the sentences of the decision review and `explain`. */
export function ruleLabelAt(ref: RuleRef): string {
  return labelled(ref, (where) => ` at ${where}`);
}

function labelled(ref: RuleRef, place: (where: string) => string): string {
  const id = ref.id === undefined ? "" : ` @id(${JSON.stringify(ref.id)})`;
  return `${ref.address}${id}${ref.file === undefined ? "" : place(`${ref.file}${ref.line === undefined ? "" : `:${ref.line}`}`)}`;
}

/** `User::"alice" Action::"view" Doc::"d1"`, and the context when it is not empty. */
export function requestLabel(r: ShownRequest): string {
  const context = Object.keys(r.context).length === 0 ? "" : ` context ${JSON.stringify(r.context)}`;
  return `${r.principal} ${r.action} ${r.resource}${context}`;
}
