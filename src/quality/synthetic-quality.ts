/**
 * A generated desired state for measuring the rule-quality checks (coverage, invariants, hygiene) at the
 * decision review's scale: the tenant after the change of `syntheticDecisionCase` (1,000 rules over a universe of
 * 10,000 requests), with access tests and invariants. Deterministic, no clock: the bench and the measurement test
 * time `runAccessTests` + `checkQuality` on it themselves.
 */
import { syntheticDecisionCase } from "../decisions/synthetic-case.js";
import type { SyntheticOptions } from "../decisions/synthetic-case.js";
import type { AccessTestCase, DesiredInvariant, DesiredState } from "../desired/types.js";

export interface SyntheticQuality {
  desired: DesiredState;
  rules: number;
  /** The universe's size by construction (the invariants' literals add none). */
  universeSize: number;
}

export function syntheticQualityCase(options: SyntheticOptions & { tests?: number } = {}): SyntheticQuality {
  const { input, universeSize } = syntheticDecisionCase(options);
  const file = "synthetic.yaml";
  const at = (line: number) => ({ file, line, col: 1 });
  const noLocate = () => at(1);
  let line = 1;
  const policies = input.after.map((p) => ({
    name: p.key.slice("cedar/policies/".length),
    address: p.key,
    loc: at(line++),
    enabled: p.enabled,
    priority: p.priority,
    maxDurationSeconds: 3600,
    previousNames: [],
    rules: p.rules.map((r, i) => ({ address: r.key, ordinal: i + 1, form: "cedar" as const, text: r.text, loc: at(line++), locate: noLocate })),
  }));
  const users = options.users ?? 99;
  const docs = options.docs ?? 9;
  const actions = options.actions ?? 10;
  const cases: AccessTestCase[] = Array.from({ length: options.tests ?? 200 }, (_, i) => ({
    name: `case ${i}`,
    principal: `User::"u${(i * 7) % users}"`,
    action: `Action::"a${i % actions}"`,
    resource: `Doc::"d${(i * 3) % docs}"`,
    context: {},
    // The decision is not the point: coverage counts what decides, whatever the expectation.
    expect: "allow",
    loc: at(line++),
  }));
  const invariant = (name: string, scopeText: string, expect: "allow" | "deny"): DesiredInvariant => ({ name, scopeText, expect, loc: at(line++) });
  const invariants = [
    invariant("team t0 never acts on f0's private documents with a0", 'permit(principal in Team::"t0", action == Action::"a0", resource in Folder::"f0");', "deny"),
    invariant("strangers get nothing", 'permit(principal == User::"__fresh__", action, resource);', "deny"),
    invariant("no one reads any document (violated: a pass over the whole universe)", "permit(principal, action, resource is Doc);", "deny"),
  ];
  const desired: DesiredState = {
    dir: ".",
    projects: [],
    cedar: {
      loc: at(1),
      schema: { path: "schema.cedarschema", text: input.schema ?? "", loc: at(1) },
      policies,
      tests: { entities: { path: "entities.json", value: input.entities, loc: at(1) }, cases },
      invariants,
    },
    settings: { owns: [], ignore: [], protect: [], thresholds: { updatePercent: 30, deletePercent: 30, minExisting: 10 } },
    sources: [],
    digest: "sha256:synthetic",
  };
  return { desired, rules: policies.reduce((n, p) => n + p.rules.length, 0), universeSize };
}
