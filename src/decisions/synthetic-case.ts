/**
 * A generated tenant and change for measuring the decision review (SPEC section 9: a change to 1,000 Cedar rules
 * over a universe of 10,000 requests ≤ 5 s). Deterministic, no clock: the bench and the tests time
 * `reviewDecisions(syntheticDecisionCase().input)` themselves.
 *
 * Shape: `teams` teams, `users` users (each in one team), `folders` folders, `docs` documents (each in one folder),
 * `actions` actions on User × Doc. Rule i permits team i mod T, action ⌊i/T⌋ mod A, folder ⌊i/TA⌋ mod F, under a
 * condition on the user's level; a few unchanged forbids stand across all of it. The change rewrites the
 * conditions of the first `changed` rules (some requests widen, some narrow). Universe: actions × (users + 1
 * fresh) × (docs + 1 fresh) requests with the context `{}`.
 */
import type { EvalPolicy } from "../cedar/evaluate.js";
import type { DecisionReviewInput } from "./decision-diff.js";

export interface SyntheticOptions {
  rules?: number;
  changed?: number;
  teams?: number;
  users?: number;
  folders?: number;
  docs?: number;
  actions?: number;
  /** Written into every rule as a comment: cases with different salts share no text (nothing memoized helps). */
  salt?: string;
}

export interface SyntheticCase {
  input: DecisionReviewInput;
  /** The universe's size by construction. */
  universeSize: number;
}

export function syntheticDecisionCase(options: SyntheticOptions = {}): SyntheticCase {
  const rules = options.rules ?? 1000;
  const changed = Math.min(options.changed ?? rules, rules);
  const teams = options.teams ?? 10;
  const users = options.users ?? 99;
  const folders = options.folders ?? 10;
  const docs = options.docs ?? 9;
  const actions = options.actions ?? 10;

  const actionDecls = Array.from({ length: actions }, (_, a) => `action a${a} appliesTo { principal: [User], resource: [Doc] };`);
  const schema = [
    "entity Team;",
    "entity User in [Team] { level: Long };",
    "entity Folder;",
    "entity Doc in [Folder] { owner: User, public: Bool };",
    ...actionDecls,
  ].join("\n");

  const entities = [
    ...Array.from({ length: teams }, (_, t) => ({ uid: { type: "Team", id: `t${t}` }, attrs: {}, parents: [] })),
    ...Array.from({ length: folders }, (_, f) => ({ uid: { type: "Folder", id: `f${f}` }, attrs: {}, parents: [] })),
    ...Array.from({ length: users }, (_, u) => ({
      uid: { type: "User", id: `u${u}` },
      attrs: { level: u % 5 },
      parents: [{ type: "Team", id: `t${u % teams}` }],
    })),
    ...Array.from({ length: docs }, (_, d) => ({
      uid: { type: "Doc", id: `d${d}` },
      attrs: { owner: { __entity: { type: "User", id: `u${d % Math.max(users, 1)}` } }, public: d % 2 === 0 },
      parents: [{ type: "Folder", id: `f${d % folders}` }],
    })),
  ];

  const scope = (i: number) =>
    `principal in Team::"t${i % teams}", action == Action::"a${Math.floor(i / teams) % actions}", resource in Folder::"f${Math.floor(i / (teams * actions)) % folders}"`;
  const salt = options.salt === undefined ? "" : ` // ${options.salt}`;
  const beforeRule = (i: number) => `permit(${scope(i)}) when { resource.public && principal.level >= ${i % 5} };${salt}`;
  // Private documents open up, public ones close: the change both widens and narrows.
  const afterRule = (i: number) => `permit(${scope(i)}) when { !resource.public && principal.level >= ${(i + 2) % 5} };${salt}`;
  const forbids = [
    'forbid(principal, action == Action::"a0", resource) when { principal.level == 4 && !resource.public };',
    'forbid(principal in Team::"t0", action, resource in Folder::"f0") unless { resource.public };',
  ];

  const policy = (key: string, priority: number, texts: string[]): EvalPolicy => ({
    key,
    enabled: true,
    priority,
    rules: texts.map((text, i) => ({ key: `${key}/rules/${i + 1}`, text })),
  });
  const base = Array.from({ length: rules }, (_, i) => beforeRule(i));
  const next = base.map((text, i) => (i < changed ? afterRule(i) : text));
  const before = [policy("cedar/policies/guards", 0, forbids), policy("cedar/policies/grants", 0, base)];
  const after = [policy("cedar/policies/guards", 0, forbids), policy("cedar/policies/grants", 0, next)];
  return {
    input: { before, after, schema, entities },
    universeSize: actions * (users + 1) * (docs + 1),
  };
}
