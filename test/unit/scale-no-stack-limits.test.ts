/**
 * No recursion or argument-spread limits (issue 15): a spread of 130,000 values into one call (`push(...x)`,
 * `Math.max(...x)`) overflows V8's stack, so every stage appends one by one. These tests give each stage more
 * than that in one piece: 135,000 problems from one stage of load (the references), and 150,000 rules of one Cedar policy and
 * 150,000 RBAC policies of one scope to create (diff). The bench measures the 200,000-object plan itself.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDesiredState } from "../../src/desired/load.js";
import { diff } from "../../src/plan/diff.js";
import { dCedarPolicy, desired, dPolicy, dScope, lCedarPolicy, live, lScope } from "../helpers/builders.js";

const N = 150_000;

describe("no argument-spread limits", () => {
  it("load: 135,000 roles naming a policy that does not exist give 135,000 problems, all reported", () => {
    const dir = mkdtempSync(join(tmpdir(), "accessctl-scale-"));
    const lines = ["organization:", "  policies: []", "  roles:"];
    for (let i = 0; i < 135_000; i++) lines.push(`    - {name: r${i}, policies: [Nope]}`);
    writeFileSync(join(dir, "org.yaml"), lines.join("\n") + "\n");
    const r = loadDesiredState(dir, { env: {} });
    expect(r.diagnostics.length).toBe(135_000);
    expect(r.diagnostics[134_999]).toMatchObject({ line: 135_003 });
  });

  it("diff: 150,000 rules of one Cedar policy to create", () => {
    const rules = Array.from({ length: N }, (_, i) => `permit(principal == User::"u${i}", action, resource);`);
    const d = desired({ cedar: [dCedarPolicy("big", rules)] });
    const r = diff(d, live({ cedar: [lCedarPolicy("pol-1", "big")] }));
    expect(r.diagnostics).toEqual([]);
    expect(r.changes.filter((c) => c.kind === "create").length).toBe(N);
  });

  it("diff: 150,000 RBAC policies of one scope to create", () => {
    const policies = Array.from({ length: N }, (_, i) => dPolicy(`p${i}`, ["user:read"]));
    const r = diff(desired({ organization: dScope({ policies }) }), live({ organization: lScope({}) }));
    expect(r.diagnostics).toEqual([]);
    expect(r.changes.length).toBe(N);
  });
});
