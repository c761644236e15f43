/**
 * The plan as text for a terminal: one line per change with its symbol (`+` create, `~` update/rename,
 * `-` delete, `→` move), field diffs by name, guards shown prominently, access impact, drift marks, and the
 * closing line. Renders only: it never decides or re-diffs.
 */
import { formatAddress } from "../address/address.js";
import type { Change, FieldChange, Guard, Plan } from "../plan/model.js";
import { isEmpty } from "../plan/summary.js";
import type { Palette } from "./colour.js";
import { cedarPolicyFields } from "./cedar-policy-fields.js";
import { renderDecisionsText } from "./decisions-text.js";
import { renderInvariantsRestoredText } from "./invariants-restored-text.js";

export interface PlanTextOptions {
  /** Member emails are shown in local text output only (never in Markdown or comments). */
  showEmails?: boolean;
}

const SYMBOL = { create: "+", update: "~", rename: "~", delete: "-", reorder: "→" } as const;

function paint(c: Change, p: Palette): (s: string) => string {
  return c.kind === "create" ? p.green : c.kind === "delete" ? p.red : c.kind === "reorder" ? p.cyan : p.yellow;
}

export function show(v: unknown): string {
  if (v === null || v === undefined) return "(none)";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ")}]`;
  return JSON.stringify(v);
}

/** A rule's Cedar text is shown as a before/after block, under the files' key `cedar`. */
export function isRuleText(c: Change, f: FieldChange): boolean {
  return c.type === "cedar-rule" && f.field === "text";
}

function fieldLines(c: Change, f: FieldChange, p: Palette): string[] {
  if (Array.isArray(f.before) && Array.isArray(f.after)) {
    const before = new Set(f.before.map(String));
    const after = new Set(f.after.map(String));
    const added = [...after].filter((x) => !before.has(x));
    const removed = [...before].filter((x) => !after.has(x));
    const parts = [...added.map((x) => p.green(`+${x}`)), ...removed.map((x) => p.red(`-${x}`))];
    return [`${f.field}: ${parts.join(" ")}`];
  }
  if (isRuleText(c, f)) {
    return [`cedar:`, ...String(f.before).split("\n").map((l) => p.red(`  - ${l}`)), ...String(f.after).split("\n").map((l) => p.green(`  + ${l}`))];
  }
  return [`${f.field}: ${show(f.before)} → ${show(f.after)}`];
}

function createLines(c: Change): string[] {
  if (c.kind !== "create") return [];
  switch (c.type) {
    case "rbac-policy":
      return [`permissions: ${show(c.body.permissions.map((r) => r.name))}`, ...(c.body.description ? [`description: ${show(c.body.description)}`] : [])];
    case "role":
      return [`policies: ${show(c.body.policies.map((r) => r.name))}`, ...(c.body.description ? [`description: ${show(c.body.description)}`] : [])];
    case "cedar-policy":
      return cedarPolicyFields(c.body).map(([k, v]) => `${k}: ${show(v)}`);
    case "cedar-rule":
      return [
        ...c.body.text.split("\n"),
        ...(c.body.notice !== undefined ? [`notice: ${show(c.body.notice)}`] : []),
        ...(c.body.auditSession === false ? ["auditSession: false"] : []),
      ];
  }
}

/** A reorder's moved rules, one line each: `→ cedar/policies/p/rules/1 (moved from 2)`. */
export function moveLines(c: Change): string[] {
  if (c.kind !== "reorder") return [];
  return c.moves.map((m) => `${SYMBOL.reorder} ${formatAddress(m.address)} (moved from ${m.from})`);
}

export function changeHeadline(c: Change): string {
  let tail = "";
  if (c.kind === "rename" && "fromName" in c) tail = ` (renamed from ${JSON.stringify(c.fromName)})`;
  if (c.kind === "reorder") tail = ` (1 reorder call for ${c.moves.length} rule move${c.moves.length === 1 ? "" : "s"})`;
  if (c.kind === "delete" && c.type === "cedar-policy" && c.ruleCount > 0) tail = ` (and its ${c.ruleCount} rule${c.ruleCount === 1 ? "" : "s"})`;
  return `${SYMBOL[c.kind]} ${formatAddress(c.address)}${tail}`;
}

export function guardLines(g: Guard, p: Palette, showEmails: boolean): string[] {
  const lines = [`${p.red("!")} ${g.message}`];
  if (g.members && showEmails && g.members.emails.length > 0) {
    lines.push(`    members: ${g.members.emails.join(", ")}${g.members.count > g.members.emails.length ? `, and ${g.members.count - g.members.emails.length} more` : ""}`);
  }
  lines.push(`    ${p.dim("→")} ${g.hint}`);
  return lines;
}

export function closingLine(plan: Plan): string {
  const s = plan.summary;
  // `--only` never hides: what the selection leaves out is always said, and "live matches" only when it does.
  const outside = plan.only ? plan.outsideOnly ?? 0 : 0;
  const more = outside > 0 ? ` ${outside} more change${outside === 1 ? "" : "s"} outside --only.` : "";
  if (isEmpty(s)) return plan.only ? `No changes inside --only.${more}` : "No changes. Live state matches the desired state.";
  const update = `${s.update} to update${s.rename ? ` (${s.rename} rename${s.rename === 1 ? "" : "s"})` : ""}`;
  const moves = s.move ? `, ${s.move} rule move${s.move === 1 ? "" : "s"}` : "";
  return `Plan: ${s.create} to create, ${update}, ${s.delete} to delete${moves}${plan.only ? " (inside --only)" : ""}.${more}`;
}

export function renderPlanText(plan: Plan, p: Palette, options: PlanTextOptions = {}): string {
  const out: string[] = [];
  if (plan.changes.length > 0) {
    out.push(p.bold("accessctl will make these changes:"), "");
    for (const c of plan.changes) {
      const mark = plan.drift?.[c.id];
      const driftTag = mark === "drift" ? p.yellow(" [drift: changed outside Git; this apply reverts it]") : mark === "both" ? p.yellow(" [files + drift]") : "";
      out.push(paint(c, p)(`  ${changeHeadline(c)}`) + driftTag);
      const details = c.kind === "create" ? createLines(c) : c.kind === "reorder" ? moveLines(c) : c.fields.flatMap((f) => fieldLines(c, f, p));
      for (const d of details) out.push(`      ${d}`);
    }
    out.push("");
  }
  if (plan.impact.roles.length > 0 || plan.impact.tests.length > 0) {
    out.push(p.bold("Access impact:"));
    for (const r of plan.impact.roles) {
      const who = r.members === undefined ? "" : ` (${r.members} member${r.members === 1 ? "" : "s"})`;
      const parts = [...r.gained.map((x) => p.green(`+${x}`)), ...r.lost.map((x) => p.red(`-${x}`))];
      out.push(`  ${r.address}${who}: ${parts.join(" ")}`);
    }
    for (const t of plan.impact.tests) out.push(`  access test ${JSON.stringify(t.name)}: ${t.live} → ${t.desired}`);
    out.push("");
  }
  out.push(...renderDecisionsText(plan, p));
  out.push(...renderInvariantsRestoredText(plan, p));
  if (plan.guards.length > 0) {
    out.push(p.red(p.bold(`apply would refuse this plan (${plan.guards.length} guard${plan.guards.length === 1 ? "" : "s"}):`)));
    for (const g of plan.guards) for (const l of guardLines(g, p, options.showEmails === true)) out.push(`  ${l}`);
    out.push("");
  }
  out.push(p.bold(closingLine(plan)));
  return out.join("\n");
}
