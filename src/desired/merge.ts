/**
 * File fragments → one desired state. A collection may be spread over several files and a project may appear in
 * several files; the same object (same scope, same name) twice is an error naming both places.
 */
import { diag, type Diagnostic, type SourcePosition } from "../diagnostics/diagnostic.js";
import type { FileFragment, FragmentScope } from "./build-file.js";
import type { DesiredCedar, DesiredProject, DesiredRbacScope, NameRef } from "./types.js";

export interface Merged {
  organization?: DesiredRbacScope;
  projects: DesiredProject[];
  cedar?: DesiredCedar;
  settings?: NonNullable<FileFragment["settings"]>;
}

function where(loc: SourcePosition): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

interface Named {
  name: string;
  address: string;
  loc: SourcePosition;
  previousNames?: NameRef[];
}

/** Anything declared by name once across all files. */
interface Declared {
  name: string;
  loc: SourcePosition;
  address?: string;
}

const RENAME_OR_REMOVE = "an object is identified by its name within its scope: remove one declaration or rename it";

/** Appends `items` to `into`, reporting names already there. */
function appendUnique<T extends Declared>(into: T[], items: readonly T[], seen: Map<string, Declared>, what: string, diagnostics: Diagnostic[], hint = RENAME_OR_REMOVE): void {
  for (const item of items) {
    const first = seen.get(item.name);
    if (first) {
      diagnostics.push(diag("duplicate", `${what} \`${item.name}\` is declared twice: here and at ${where(first.loc)}`, item.loc, { address: item.address, hint }));
      continue;
    }
    seen.set(item.name, item);
    into.push(item);
  }
}

/**
 * A setting declared at most once across all files: the first declaration, a second one reported at its place
 * (`what`: the setting and its verb, "`cedar.schema` is").
 */
function once<T extends { loc: SourcePosition }>(first: T | undefined, next: T, what: string, hint: string, diagnostics: Diagnostic[]): T {
  if (!first) return next;
  diagnostics.push(diag("settings-twice", `${what} declared twice: here and at ${where(first.loc)}`, next.loc, { hint }));
  return first;
}

/** `previousNames` must not name a declared object, nor be claimed by two objects. */
function checkPreviousNames(items: readonly Named[], what: string, diagnostics: Diagnostic[]): void {
  const declared = new Map(items.map((i) => [i.name, i]));
  const claimed = new Map<string, Named>();
  for (const item of items) {
    for (const prev of item.previousNames ?? []) {
      const other = declared.get(prev.name);
      if (other) {
        diagnostics.push(
          diag("previous-name-declared", `previous name \`${prev.name}\` of ${what} \`${item.name}\` is itself declared at ${where(other.loc)}`, prev.loc, {
            address: item.address,
            hint: "a rename moves the live object to the new name: remove the old declaration, or the previous name",
          }),
        );
        continue;
      }
      const first = claimed.get(prev.name);
      if (first && first !== item) {
        diagnostics.push(
          diag("previous-name-twice", `previous name \`${prev.name}\` is claimed by \`${item.name}\` and by \`${first.name}\` (${where(first.loc)})`, prev.loc, {
            address: item.address,
            hint: "one live object can be renamed into one object only",
          }),
        );
      }
      claimed.set(prev.name, item);
    }
  }
}

class ScopeMerger {
  readonly scope: DesiredRbacScope;
  private readonly policyNames = new Map<string, Declared>();
  private readonly roleNames = new Map<string, Declared>();

  constructor(loc: SourcePosition) {
    this.scope = { loc };
  }

  add(f: FragmentScope, diagnostics: Diagnostic[]): void {
    if (f.policies) appendUnique((this.scope.policies ??= []), f.policies, this.policyNames, "policy", diagnostics);
    if (f.roles) appendUnique((this.scope.roles ??= []), f.roles, this.roleNames, "role", diagnostics);
  }

  finish(diagnostics: Diagnostic[]): DesiredRbacScope {
    checkPreviousNames(this.scope.policies ?? [], "policy", diagnostics);
    checkPreviousNames(this.scope.roles ?? [], "role", diagnostics);
    return this.scope;
  }
}

export function mergeFragments(fragments: readonly FileFragment[]): { merged: Merged; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const merged: Merged = { projects: [] };
  let org: ScopeMerger | undefined;
  const projects = new Map<string, ScopeMerger & { name?: string }>();
  const cedarPolicyNames = new Map<string, Declared>();
  const testNames = new Map<string, Declared>();
  const invariantNames = new Map<string, Declared>();

  for (const f of fragments) {
    if (f.organization) (org ??= new ScopeMerger(f.organization.loc)).add(f.organization, diagnostics);
    for (const p of f.projects) {
      let m = projects.get(p.name);
      if (!m) projects.set(p.name, (m = new ScopeMerger(p.loc)));
      m.add(p, diagnostics);
    }
    if (f.cedar) {
      const c = (merged.cedar ??= { loc: f.cedar.loc });
      if (f.cedar.schema) c.schema = once(c.schema, f.cedar.schema, "`cedar.schema` is", "one Cedar schema applies to the whole tenant: keep one `schema:`", diagnostics);
      if (f.cedar.review) c.review = once(c.review, f.cedar.review, "`cedar.review` is", "the decision review has one setting for the whole tenant: keep one `review:`", diagnostics);
      if (f.cedar.policies) appendUnique((c.policies ??= []), f.cedar.policies, cedarPolicyNames, "Cedar policy", diagnostics);
      if (f.cedar.tests) {
        const t = (c.tests ??= { cases: [] });
        const { minCoverage, entities, cases } = f.cedar.tests;
        if (minCoverage) {
          const hint = "one coverage threshold applies to all the access tests: keep one `minCoverage:`";
          t.minCoverage = once(t.minCoverage, minCoverage, "`cedar.tests.minCoverage` is", hint, diagnostics);
        }
        if (entities) t.entities = once(t.entities, entities, "`cedar.tests.entities` is", "keep one entities file for the access tests", diagnostics);
        appendUnique(t.cases, cases, testNames, "access test", diagnostics, "give every access test its own name");
      }
      // The list appears with its first invariant: `invariants: []` leaves it absent.
      if (f.cedar.invariants?.length) appendUnique((c.invariants ??= []), f.cedar.invariants, invariantNames, "invariant", diagnostics, "give every invariant its own name");
    }
    if (f.settings) merged.settings = once(merged.settings, f.settings, "`accessctl:` settings are", "settings apply to the whole directory: keep them in one file", diagnostics);
  }
  if (org) merged.organization = org.finish(diagnostics);
  for (const [name, m] of projects) merged.projects.push({ name, ...m.finish(diagnostics) });
  checkPreviousNames(merged.cedar?.policies ?? [], "Cedar policy", diagnostics);
  return { merged, diagnostics };
}
