/**
 * A policy's rule moves at apply time (docs/services.md#how-apply-writes): one reorder call, after the policy's
 * other rule writes, its id list built from the ids then live (rules created in the same run included) and never
 * partial; and the capability table's switch for the undocumented rule PATCH, read by the planner.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Dispatcher } from "undici";
import { executePlan } from "../../src/apply/execute.js";
import type { DesiredCedarPolicy, DesiredRule, DesiredState } from "../../src/desired/types.js";
import { DEFAULT_THRESHOLDS } from "../../src/desired/types.js";
import { startEmulator, type EmulatorHandle } from "../../src/emulator/index.js";
import { createCedarClient, type CedarClient } from "../../src/live/cedar-client.js";
import { createDispatcher } from "../../src/live/dispatcher.js";
import { fetchLive } from "../../src/live/fetch-live.js";
import { matchRules } from "../../src/plan/diff-cedar.js";
import { diff } from "../../src/plan/diff.js";
import type { Change } from "../../src/plan/model.js";
import { sortChanges } from "../../src/plan/order.js";
import { lRule } from "../helpers/builders.js";

const TENANT = "00000000-0000-4000-8000-000000000001";
const loc = { file: "test.yaml", line: 1, col: 1 };
const rule = (policyName: string, ordinal: number, text: string): DesiredRule => ({
  address: `cedar/policies/${policyName}/rules/${ordinal}`, ordinal, form: "cedar", text, loc, locate: () => loc,
});
const cedarPolicy = (name: string, texts: string[]): DesiredCedarPolicy => ({
  name, address: `cedar/policies/${name}`, loc, maxDurationSeconds: 3600, previousNames: [], rules: texts.map((t, i) => rule(name, i + 1, t)),
});
const desired = (policies: DesiredCedarPolicy[]): DesiredState => ({
  dir: ".", projects: [], sources: [], digest: "", settings: { owns: [], ignore: [], protect: [], thresholds: DEFAULT_THRESHOLDS }, cedar: { loc, policies },
});
const text = (who: string) => `permit (principal == User::"${who}", action, resource);`;

let dispatcher: Dispatcher;
let em: EmulatorHandle;
let cedar: CedarClient;

beforeAll(() => {
  dispatcher = createDispatcher({ env: {} });
});
afterAll(() => dispatcher.close());
beforeEach(async () => {
  em = await startEmulator({ port: 0 });
  cedar = createCedarClient({ baseUrl: em.url, apiKey: "local-cedar-key", tenantId: TENANT, dispatcher, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
});
afterEach(() => em.close());

async function plan(d: DesiredState): Promise<Change[]> {
  const result = diff(d, await fetchLive({ cedar }, { cedar: true }));
  expect(result.diagnostics).toEqual([]);
  return sortChanges(result.changes);
}

const writes = (from: number) => em.requestLog.slice(from).filter((e) => e.method !== "GET").map((e) => `${e.method} ${e.path.replace(/[0-9a-f-]{36}/g, "<id>")}`);

describe("apply: the reorder", () => {
  it("runs last, after the creates and updates, with the ids of rules created in the same run", async () => {
    await executePlan(await plan(desired([cedarPolicy("p", [text("a"), text("b"), text("c")])])), { cedar });
    const from = em.requestLog.length;
    // c first; a's place taken by a new rule (one PATCH of a's text); b changed in place (a notice) and moved; d new.
    const next = desired([cedarPolicy("p", [text("c"), text("new"), text("b"), text("d")])]);
    next.cedar!.policies![0]!.rules[2]!.notice = "b is recorded";
    const changes = await plan(next);
    expect(changes.map((c) => c.id)).toEqual([
      "update:cedar/policies/p/rules/2",
      "update:cedar/policies/p/rules/3",
      "create:cedar/policies/p/rules/4",
      "reorder:cedar/policies/p",
    ]);
    expect([...changes[3]!.dependsOn].sort()).toEqual(changes.slice(0, 3).map((c) => c.id).sort());
    const report = await executePlan(changes, { cedar });
    expect(report.failed).toEqual([]);
    expect(report.applied.find((a) => a.change.kind === "reorder")?.note).toBe("1 reorder call for 3 rule moves");
    const log = writes(from);
    expect(log.at(-1)).toBe("PATCH /v1/policies/<id>/rules/reorder");
    expect(log.filter((w) => w.endsWith("/reorder"))).toHaveLength(1);
    const [p] = await cedar.listPolicies();
    expect((await cedar.listRules(p!.id)).map((r) => [r.ordinal, r.text, r.notice])).toEqual([
      [1, 'permit(principal == User::"c", action, resource);', null],
      [2, 'permit(principal == User::"new", action, resource);', null],
      [3, 'permit(principal == User::"b", action, resource);', "b is recorded"],
      [4, 'permit(principal == User::"d", action, resource);', null],
    ]);
    expect(await plan(next)).toEqual([]);
  });

  it("never sends a partial list: a rule added meanwhile fails the reorder, saying so, and nothing is sent", async () => {
    await executePlan(await plan(desired([cedarPolicy("p", [text("a"), text("b")])])), { cedar });
    const changes = await plan(desired([cedarPolicy("p", [text("b"), text("a")])]));
    const [p] = await cedar.listPolicies();
    await cedar.createRule(p!.id, { text: text("intruder") });
    const from = em.requestLog.length;
    const report = await executePlan(changes, { cedar });
    expect(report.failed.map((f) => f.error)).toEqual([expect.stringMatching(/^the rules of cedar\/policies\/p changed meanwhile \(rules not in the plan: [0-9a-f-]+\): the reorder must name every rule of the policy, so it was not sent; plan again$/)]);
    expect(writes(from)).toEqual([]);
  });
});

describe("the capability table's switch for the rule PATCH", () => {
  const live = [lRule("r1", 1, text("a")), lRule("r2", 2, text("b"))];
  const want = [rule("p", 1, text("a")), rule("p", 2, text("changed"))];

  it("with the rule PATCH assumed (the default), a changed rule is paired into one update", () => {
    const m = matchRules(want, live);
    expect(m.pairs.map((x) => [x.desired.ordinal, x.live.id, x.sameMeaning])).toEqual([[1, "r1", true], [2, "r2", false]]);
    expect([m.creates, m.deletes]).toEqual([[], []]);
  });

  it("without it, a changed rule is a create and a delete instead", () => {
    const m = matchRules(want, live, { patchRules: false });
    expect(m.pairs.map((x) => [x.desired.ordinal, x.live.id])).toEqual([[1, "r1"]]);
    expect(m.creates.map((r) => r.ordinal)).toEqual([2]);
    expect(m.deletes.map((r) => r.id)).toEqual(["r2"]);
  });
});
