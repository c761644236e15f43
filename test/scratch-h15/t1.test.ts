import { it } from "vitest";
import { parseRules, validateRules } from "../../src/cedar/check-rules.js";
it("x", () => {
const rules = [
 { key: "a", text: "permit(principal, action, resource) when { 1 + };" },
 { key: "b", text: "permit(principal, action == Action::\"nope\", resource);" },
 { key: "c", text: "forbid(principal, action, resource) when { context.x +++ };" },
];
console.log(JSON.stringify(parseRules(rules), null, 1));
const schema = `entity User; action a appliesTo { principal: [User], resource: [User] };`;
console.log(JSON.stringify(validateRules(rules, schema), null, 1));
console.log(JSON.stringify(validateRules(rules.slice(1,2), schema), null, 1));
});
