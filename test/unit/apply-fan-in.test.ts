/**
 * Executor fan-in: a change with two dependencies starts only once BOTH have succeeded. The clients are fakes whose
 * calls the test resolves by hand, in both orders, so neither order nor timing luck can make a test pass.
 * The plan comes from the builders and `diff` (a role using two new policies), not from hand-written changes.
 */
import { describe, expect, it } from "vitest";
import { executePlan, type ProgressEvent } from "../../src/apply/execute.js";
import type { RbacClient, RbacPolicyBody, RbacRoleBody } from "../../src/live/rbac-client.js";
import type { LiveRbacPolicy, LiveRole } from "../../src/live/types.js";
import { diff } from "../../src/plan/diff.js";
import type { Change } from "../../src/plan/model.js";
import { dPolicy, dRole, dScope, desired, lScope, live } from "../helpers/builders.js";

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One turn of the event loop: every promise continuation queued so far has run (the fakes do no I/O). */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await turn();
}

/** The plan: policies A and B created, and role R (using both) created after them. */
function fanInPlan(): { changes: Change[]; policy: Record<"A" | "B", Change>; role: Change } {
  const { changes } = diff(
    desired({ organization: dScope({ policies: [dPolicy("A", ["billing:read"]), dPolicy("B", ["billing:manage"])], roles: [dRole("R", ["A", "B"])] }) }),
    live({ organization: lScope() }),
  );
  const byName = (type: "rbac-policy" | "role", name: string) => {
    const found = changes.find((c) => (c.type === "rbac-policy" || c.type === "role") && c.type === type && c.kind === "create" && c.body.name === name);
    if (!found) throw new Error(`no create of ${type} ${name} in the plan`);
    return found;
  };
  const plan = { changes, policy: { A: byName("rbac-policy", "A"), B: byName("rbac-policy", "B") }, role: byName("role", "R") };
  // The premise: three changes, the role depending on both policies and on nothing else.
  expect(changes).toHaveLength(3);
  expect([...plan.role.dependsOn].sort()).toEqual([plan.policy.A.id, plan.policy.B.id].sort());
  return plan;
}

/** An RBAC client whose policy creates wait for the test; role creates answer at once and are recorded. */
function handRbac() {
  const creates = new Map<string, Deferred<LiveRbacPolicy>>();
  const roleCreates: RbacRoleBody[] = [];
  const fake: Pick<RbacClient, "createPolicy" | "createRole"> = {
    createPolicy: (_scope, body: RbacPolicyBody) => {
      const d = deferred<LiveRbacPolicy>();
      creates.set(body.name, d);
      return d.promise;
    },
    createRole: async (_scope, body): Promise<LiveRole> => {
      roleCreates.push(body);
      return { id: "role-R", name: body.name, description: body.description, system: false, policyIds: body.policyIds };
    },
  };
  const answer = (name: string): LiveRbacPolicy => ({ id: `pol-${name}`, name, description: null, permissionIds: [] });
  return {
    // Only the calls this plan makes exist: any other call fails its change, which the tests would see.
    client: fake as RbacClient,
    creates,
    roleCreates,
    succeed: (name: string) => creates.get(name)!.resolve(answer(name)),
    fail: (name: string) => creates.get(name)!.reject(new Error(`injected failure of policy ${name}`)),
  };
}

const ORDERS: ["A" | "B", "A" | "B"][] = [
  ["A", "B"],
  ["B", "A"],
];

describe("executePlan: fan-in (a change with two dependencies)", () => {
  it.each(ORDERS)("waits for both: %s succeeds, the role does not start; then %s, and it does", async (first, second) => {
    const { changes, policy, role } = fanInPlan();
    const rbac = handRbac();
    const events: ProgressEvent[] = [];
    const run = executePlan(changes, { rbac: rbac.client }, { concurrency: 8, onProgress: (e) => events.push(e) });

    // Both policies are independent: both creates are in flight at once.
    await until(() => rbac.creates.size === 2);
    rbac.succeed(first);
    await turn();
    expect(events.map((e) => [e.change, e.status])).toEqual([[policy[first], "applied"]]);
    expect(rbac.roleCreates).toEqual([]);

    rbac.succeed(second);
    const report = await run;
    expect(events.map((e) => [e.change, e.status])).toEqual([
      [policy[first], "applied"],
      [policy[second], "applied"],
      [role, "applied"],
    ]);
    // And it was sent with both new ids.
    expect(rbac.roleCreates.map((b) => [...b.policyIds].sort())).toEqual([["pol-A", "pol-B"]]);
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
  });

  it.each(ORDERS)("one dependency fails (%s), the other succeeds (%s): the role is skipped once and never sent", async (failing, succeeding) => {
    const { changes, policy, role } = fanInPlan();
    const rbac = handRbac();
    const events: ProgressEvent[] = [];
    const run = executePlan(changes, { rbac: rbac.client }, { concurrency: 8, onProgress: (e) => events.push(e) });
    await until(() => rbac.creates.size === 2);
    // Both orders of arrival: the failure first, or the success first.
    const [early, late] = failing === "A" ? [() => rbac.fail(failing), () => rbac.succeed(succeeding)] : [() => rbac.succeed(succeeding), () => rbac.fail(failing)];
    early();
    await turn();
    expect(rbac.roleCreates).toEqual([]);
    late();
    const report = await run;

    expect(rbac.roleCreates).toEqual([]);
    expect(report.applied.map((a) => a.change)).toEqual([policy[succeeding]]);
    expect(report.failed.map((f) => f.change)).toEqual([policy[failing]]);
    expect(report.skipped.map((s) => [s.change, s.reason, s.failedDependencies])).toEqual([[role, "upstream-failed", [policy[failing].id]]]);
    expect(events.filter((e) => e.change === role).map((e) => e.status)).toEqual(["skipped"]);
  });
});
