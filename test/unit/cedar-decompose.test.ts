import { describe, expect, it } from "vitest";
import { assembleRule } from "../../src/cedar/assemble.js";
import { canonicalRule } from "../../src/cedar/canonical.js";
import { decomposeRule } from "../../src/cedar/decompose.js";

/** Strips annotations, which the structured fields do not carry. */
function withoutAnnotations(text: string): string {
  return text.replace(/^(\s*@\w+(\("[^"]*"\))?\s*)+/, "");
}

describe("decomposeRule ↔ assembleRule", () => {
  it.each([
    "permit(principal, action, resource);",
    "forbid (principal, action, resource) unless { context has ticket };",
    'permit(principal == User::"alice", action == Action::"read", resource == Doc::"d1");',
    'permit(principal in Group::"sre", action in [Action::"a", Action::"b"], resource in Folder::"f");',
    'permit(principal is User, action in Action::"g", resource is Doc);',
    'permit(principal is User in Group::"eng", action, resource is Doc in Folder::"x\\"y");',
    'permit(principal, action == Ns::Action::"read", resource);',
    'permit(principal, action == Action::"a::b", resource);',
    'permit(principal == User::"é\\\\", action, resource);',
    "permit(principal, action, resource)\n  when { context.duration_seconds <= 14400 }\n  unless { context.x == \"; not the end // nor this\" };",
    "permit(principal, action, resource) when {\n  // a comment inside\n  true\n} // trailing comment\n;",
    '@id("r1") @review permit(principal, action, resource) when { principal.level > 3 };',
  ])("%s", (text) => {
    const d = decomposeRule(text);
    expect(d.ok, JSON.stringify(d)).toBe(true);
    if (!d.ok) return;
    const assembled = assembleRule(d.fields);
    expect(canonicalRule(assembled)).toBe(canonicalRule(withoutAnnotations(text)));
    const again = decomposeRule(assembled);
    expect(again.ok && again.fields).toEqual(d.fields);
  });

  it("returns effect, annotations and fields", () => {
    const d = decomposeRule(
      '@id("x") @flag\nforbid(principal is User in Group::"g", action in [Action::"read", Action::"w"], resource) when { context.a } unless { context.b };',
    );
    expect(d).toMatchObject({
      ok: true,
      effect: "forbid",
      annotations: { id: "x", flag: null },
      fields: {
        effect: "forbid",
        principal_scope_type: "is_in",
        principal_entity_type: "User",
        principal_entity_id: 'Group::"g"',
        action_scope_type: "in",
        action_ids: ["read", "w"],
        resource_scope_type: "any",
        conditions: "when { context.a } unless { context.b }",
      },
    });
  });

  it.each([
    ["", /found none/],
    ["// only a comment", /found none/],
    ["permit(principal, action, resource); forbid(principal, action, resource);", /unexpected token `forbid`/],
    ["permit(principal == ?principal, action, resource);", /template/],
    ["permit(principal, action, resource) when { true }", /./],
  ])("refuses %j", (text, message) => {
    const d = decomposeRule(text);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.message).toMatch(message);
  });

  it("reports error offsets in UTF-16 units after non-ASCII text", () => {
    const text = 'permit(principal, action, resource) when { "日本語🙂" == 1 + };';
    const d = decomposeRule(text);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.start).toBe(text.indexOf("}"));
    expect(text.slice(d.start, d.end)).toBe("}");
  });

  it("decomposes re-formatted text to the same fields", () => {
    const a = decomposeRule("permit ( principal , action , resource ) ;");
    const b = decomposeRule("permit(principal, action, resource);");
    expect(a.ok && b.ok && a.fields).toEqual(b.ok && b.fields);
  });
});
