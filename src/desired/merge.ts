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

/** Appends `items` to `into`, reporting names already there. */
function appendUnique<T extends Named>(into: T[], items: T[], seen: Map<string, T>, what: string, diagnostics: Diagnostic[]): void {
  for (const item of items) {
    const first = seen.get(item.name);
    if (first) {
      diagnostics.push(
        diag("duplicate", `${what} \`${item.name}\` is declared twice: here and at ${where(first.loc)}`, item.loc, {
          address: item.address,
          hint: "an object is identified by its name within its scope: remove one declaration or rename it",
        }),
      );
      continue;
    }
    seen.set(item.name, item);
    into.push(item);
  }
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
  private readonly policyNames = new Map<string, Named>();
  private readonly roleNames = new Map<string, Named>();

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
  const cedarPolicyNames = new Map<string, Named>();
  const testNames = new Map<string, SourcePosition>();
  const invariantNames = new Map<string, SourcePosition>();

  for (const f of fragments) {
    if (f.organization) (org ??= new ScopeMerger(f.organization.loc)).add(f.organization, diagnostics);
    for (const p of f.projects) {
      let m = projects.get(p.name);
      if (!m) projects.set(p.name, (m = new ScopeMerger(p.loc)));
      m.add(p, diagnostics);
    }
    if (f.cedar) {
      const c = (merged.cedar ??= { loc: f.cedar.loc });
      if (f.cedar.schema) {
        if (c.schema) {
          diagnostics.push(
            diag("settings-twice", `\`cedar.schema\` is declared twice: here and at ${where(c.schema.loc)}`, f.cedar.schema.loc, {
              hint: "one Cedar schema applies to the whole tenant: keep one `schema:`",
            }),
          );
        } else c.schema = f.cedar.schema;
      }
      if (f.cedar.review) {
        if (c.review) {
          diagnostics.push(
            diag("settings-twice", `\`cedar.review\` is declared twice: here and at ${where(c.review.loc)}`, f.cedar.review.loc, {
              hint: "the decision review has one setting for the whole tenant: keep one `review:`",
            }),
          );
        } else c.review = f.cedar.review;
      }
      if (f.cedar.policies) appendUnique((c.policies ??= []), f.cedar.policies, cedarPolicyNames, "Cedar policy", diagnostics);
      if (f.cedar.tests) {
        const t = (c.tests ??= { cases: [] });
        if (f.cedar.tests.minCoverage) {
          if (t.minCoverage) {
            diagnostics.push(
              diag("settings-twice", `\`cedar.tests.minCoverage\` is declared twice: here and at ${where(t.minCoverage.loc)}`, f.cedar.tests.minCoverage.loc, {
                hint: "one coverage threshold applies to all the access tests: keep one `minCoverage:`",
              }),
            );
          } else t.minCoverage = f.cedar.tests.minCoverage;
        }
        if (f.cedar.tests.entities) {
          if (t.entities) {
            diagnostics.push(
              diag("settings-twice", `\`cedar.tests.entities\` is declared twice: here and at ${where(t.entities.loc)}`, f.cedar.tests.entities.loc, {
                hint: "keep one entities file for the access tests",
              }),
            );
          } else t.entities = f.cedar.tests.entities;
        }
        for (const tc of f.cedar.tests.cases) {
          const first = testNames.get(tc.name);
          if (first) {
            diagnostics.push(
              diag("duplicate", `access test \`${tc.name}\` is declared twice: here and at ${where(first)}`, tc.loc, {
                hint: "give every access test its own name",
              }),
            );
            continue;
          }
          testNames.set(tc.name, tc.loc);
          t.cases.push(tc);
        }
      }
    }
    for (const inv of f.cedar?.invariants ?? []) {
      const first = invariantNames.get(inv.name);
      if (first) {
        diagnostics.push(diag("duplicate", `invariant \`${inv.name}\` is declared twice: here and at ${where(first)}`, inv.loc, { hint: "give every invariant its own name" }));
        continue;
      }
      invariantNames.set(inv.name, inv.loc);
      ((merged.cedar ??= { loc: inv.loc }).invariants ??= []).push(inv);
    }
    if (f.settings) {
      if (merged.settings) {
        diagnostics.push(
          diag("settings-twice", `\`accessctl:\` settings are declared twice: here and at ${where(merged.settings.loc)}`, f.settings.loc, {
            hint: "settings apply to the whole directory: keep them in one file",
          }),
        );
      } else merged.settings = f.settings;
    }
  }
  if (org) merged.organization = org.finish(diagnostics);
  for (const [name, m] of projects) merged.projects.push({ name, ...m.finish(diagnostics) });
  checkPreviousNames(merged.cedar?.policies ?? [], "Cedar policy", diagnostics);
  return { merged, diagnostics };
}
