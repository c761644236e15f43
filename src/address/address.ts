/**
 * Addresses name every object in plans, errors, `owns`, `ignore`, `protect` and `--only`:
 *   organization/policies/<name>          organization/roles/<name>
 *   projects/<project>/policies/<name>    projects/<project>/roles/<name>
 *   cedar/policies/<name>                 cedar/policies/<name>/rules/<n>
 * In a name, `/`, `*` and `\` are written `\/`, `\*`, `\\`.
 */
import { distance } from "../desired/near-miss.js";

export type Address =
  | { kind: "org-policy"; name: string }
  | { kind: "org-role"; name: string }
  | { kind: "project-policy"; project: string; name: string }
  | { kind: "project-role"; project: string; name: string }
  | { kind: "cedar-policy"; name: string }
  | { kind: "cedar-rule"; policy: string; ordinal: number };

/** An RBAC policy's or role's address: in the organization when `project` is undefined, else in that project. */
export function rbacAddress(kind: "policy" | "role", name: string, project?: string): Address {
  if (project === undefined) return kind === "policy" ? { kind: "org-policy", name } : { kind: "org-role", name };
  return kind === "policy" ? { kind: "project-policy", project, name } : { kind: "project-role", project, name };
}

/** An address in its written form, e.g. `projects/Support Bot/roles/Analyst`. */
export type AddressString = string & { readonly __address?: never };

export function escapeSegment(name: string): string {
  return name.replace(/[\\/*]/g, (c) => `\\${c}`);
}

export function formatAddress(a: Address): AddressString {
  switch (a.kind) {
    case "org-policy":
      return `organization/policies/${escapeSegment(a.name)}`;
    case "org-role":
      return `organization/roles/${escapeSegment(a.name)}`;
    case "project-policy":
      return `projects/${escapeSegment(a.project)}/policies/${escapeSegment(a.name)}`;
    case "project-role":
      return `projects/${escapeSegment(a.project)}/roles/${escapeSegment(a.name)}`;
    case "cedar-policy":
      return `cedar/policies/${escapeSegment(a.name)}`;
    case "cedar-rule":
      return `cedar/policies/${escapeSegment(a.policy)}/rules/${a.ordinal}`;
  }
}

/** One segment of a written address or pattern: its unescaped text, and for patterns its parts. */
interface Segment {
  /** Literal text with escapes removed (for addresses). */
  text: string;
  /** 1-based column of the segment's first character in the written form. */
  column: number;
  /** Two unescaped `*` in a row inside a segment that is not `**` alone. */
  adjacentStars: boolean;
  /** For patterns: literal chunks separated by `*` wildcards; `**` alone is the "any segments" marker. */
  parts: string[];
  doubleStar: boolean;
}

export class AddressSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
    /** What to write instead, when there is a likely answer (e.g. the full address form of `Manage*`). */
    readonly hint?: string,
  ) {
    super(message);
    this.name = "AddressSyntaxError";
  }
}

/** Splits on unescaped `/`, interpreting `\/`, `\*`, `\\`. Throws AddressSyntaxError on a bad escape. */
function splitSegments(input: string): Segment[] {
  const segments: Segment[] = [];
  let text = "";
  let parts: string[] = [""];
  let stars = 0;
  let onlyStars = true;
  let column = 1;
  let adjacentStars = false;
  let lastWasStar = false;
  const finish = (next: number): void => {
    const doubleStar = onlyStars && stars === 2 && parts.every((p) => p === "");
    segments.push({ text, parts, doubleStar, column, adjacentStars: adjacentStars && !doubleStar });
    text = "";
    parts = [""];
    stars = 0;
    onlyStars = true;
    adjacentStars = false;
    lastWasStar = false;
    column = next;
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === "\\") {
      const next = input[i + 1];
      if (next !== "\\" && next !== "/" && next !== "*") {
        throw new AddressSyntaxError(
          next === undefined
            ? "a trailing `\\` escapes nothing"
            : `\`\\${next}\` is not an escape; only \`\\/\`, \`\\*\` and \`\\\\\` are`,
          i + 1,
        );
      }
      text += next;
      parts[parts.length - 1] += next;
      onlyStars = false;
      lastWasStar = false;
      i++;
    } else if (c === "/") {
      finish(i + 2);
    } else if (c === "*") {
      text += c;
      stars++;
      parts.push("");
      if (lastWasStar) adjacentStars = true;
      lastWasStar = true;
    } else {
      text += c;
      parts[parts.length - 1] += c;
      onlyStars = false;
      lastWasStar = false;
    }
  }
  finish(input.length + 1);
  return segments;
}

/** Parses a written address. Returns undefined when it is not one (see `explainAddress` for why). */
export function parseAddress(input: string): Address | undefined {
  try {
    return parseAddressOrThrow(input);
  } catch {
    return undefined;
  }
}

export function parseAddressOrThrow(input: string): Address {
  const segs = splitSegments(input);
  for (const s of segs) {
    if (s.parts.length > 1) {
      throw new AddressSyntaxError("an address holds no unescaped `*` (write `\\*` for a star in a name)", s.column);
    }
    if (s.text === "") throw new AddressSyntaxError("an address has no empty segment", s.column);
  }
  const t = segs.map((s) => s.text);
  const bad = (): never => {
    throw new AddressSyntaxError(
      "expected organization/(policies|roles)/<name>, projects/<project>/(policies|roles)/<name>, " +
        "cedar/policies/<name> or cedar/policies/<name>/rules/<n>",
      1,
    );
  };
  if (t[0] === "organization" && t.length === 3) {
    if (t[1] === "policies") return { kind: "org-policy", name: t[2]! };
    if (t[1] === "roles") return { kind: "org-role", name: t[2]! };
  }
  if (t[0] === "projects" && t.length === 4) {
    if (t[2] === "policies") return { kind: "project-policy", project: t[1]!, name: t[3]! };
    if (t[2] === "roles") return { kind: "project-role", project: t[1]!, name: t[3]! };
  }
  if (t[0] === "cedar" && t[1] === "policies") {
    if (t.length === 3) return { kind: "cedar-policy", name: t[2]! };
    if (t.length === 5 && t[3] === "rules" && /^[1-9][0-9]*$/.test(t[4]!)) {
      return { kind: "cedar-rule", policy: t[2]!, ordinal: Number(t[4]) };
    }
  }
  return bad();
}

/** A compiled `owns` / `ignore` / `protect` / `--only` pattern. */
export interface Pattern {
  source: string;
  segments: Segment[];
}

const ROOTS = ["organization", "projects", "cedar"] as const;

/**
 * Compiles a pattern. `*` matches within one segment, `**` (a whole segment) across any number of segments; names
 * are case-sensitive. A pattern starts with `organization/`, `projects/`, `cedar/` or `**`, and must be able to
 * name at least one kind of object (`organization/Roles/x` can never match: segments are case-sensitive). Throws
 * AddressSyntaxError with a plain-words reason, and a hint showing the address form when there is a likely one.
 */
export function compilePattern(source: string): Pattern {
  if (source.trim() === "") throw new AddressSyntaxError("a pattern is not empty", 1);
  const segments = splitSegments(source);
  for (const s of segments) {
    if (s.text === "") throw new AddressSyntaxError("a pattern has no empty segment (`//` or a leading or trailing `/`)", s.column);
    if (s.adjacentStars) throw new AddressSyntaxError("`**` stands alone as a whole segment (e.g. `projects/**`)", s.column);
  }
  const root = segments[0]!;
  if (!root.doubleStar && (root.parts.length > 1 || !(ROOTS as readonly string[]).includes(root.text))) {
    throw new AddressSyntaxError(
      `a pattern starts with organization/, projects/, cedar/ or **, not \`${root.text}\``,
      1,
      rootHint(source, segments),
    );
  }
  if (!SHAPES.some((shape) => matchShape(segments, 0, shape, 0))) {
    throw new AddressSyntaxError(`\`${source}\` can never name an object: ${shapeReason(segments)}`, 1, shapeHint(source, segments));
  }
  return { source, segments };
}

/** The slots of an address shape: a fixed word, any name, or a rule's ordinal. */
type Slot = string | { name: true } | { ordinal: true };
const NAME: Slot = { name: true };
const ORDINAL: Slot = { ordinal: true };
const SHAPES: readonly Slot[][] = [
  ["organization", "policies", NAME],
  ["organization", "roles", NAME],
  ["projects", NAME, "policies", NAME],
  ["projects", NAME, "roles", NAME],
  ["cedar", "policies", NAME],
  ["cedar", "policies", NAME, "rules", ORDINAL],
];
const FORMS = "organization/(policies|roles)/<name>, projects/<project>/(policies|roles)/<name>, cedar/policies/<name> or cedar/policies/<name>/rules/<n>";

function slotMatches(seg: Segment, slot: Slot): boolean {
  if (typeof slot === "string") return segmentMatches(seg, slot);
  if ("name" in slot) return true; // any pattern segment matches some non-empty name
  return seg.parts.length > 1 ? seg.parts.every((p) => /^[0-9]*$/.test(p)) : /^[1-9][0-9]*$/.test(seg.parts[0]!);
}

/** Whether the pattern can match some address of this shape (names free). Patterns are short: plain recursion. */
function matchShape(pattern: readonly Segment[], pi: number, shape: readonly Slot[], si: number): boolean {
  if (pi === pattern.length) return si === shape.length;
  const seg = pattern[pi]!;
  if (seg.doubleStar) {
    for (let k = si; k <= shape.length; k++) if (matchShape(pattern, pi + 1, shape, k)) return true;
    return false;
  }
  return si < shape.length && slotMatches(seg, shape[si]!) && matchShape(pattern, pi + 1, shape, si + 1);
}

/** The hint for a pattern whose first segment is not a root: the address form it most likely meant. */
function rootHint(source: string, segments: readonly Segment[]): string {
  const root = segments[0]!;
  const lower = root.text.toLowerCase();
  const near = ROOTS.find((r) => r === lower || nearRoot(lower, r));
  const rest = source.slice(source.indexOf("/") + 1);
  if (near && segments.length > 1) return `write \`${near}/${rest}\` (segments are case-sensitive)`;
  if (segments.length === 1) {
    if (root.parts.length > 1 && root.parts.every((p) => p === "")) {
      return "`**` matches every object; `organization/roles/*` every organization role; a name alone is not a pattern";
    }
    return `a pattern is an address: write e.g. \`organization/roles/${source}\`, \`cedar/policies/${source}\`, or \`**/${source}\` for that name in every scope (names are case-sensitive; \`*\` matches within one segment, \`**\` across segments)`;
  }
  const full = root.parts.length > 1 ? `**/${rest}` : `**/${source}`;
  return `start with organization/, projects/ or cedar/, or with \`**/\` to match in every scope: e.g. \`${full}\``;
}

/** A written root within two edits of a real one (`organisation`, `project`). */
function nearRoot(a: string, b: string): boolean {
  return distance(a, b) <= 2;
}

function shapeReason(segments: readonly Segment[]): string {
  const root = segments[0]!;
  if (root.doubleStar) return `no address ends like this (the forms are ${FORMS})`;
  return `an address of ${root.text} has the form ${FORMS.split(", ").filter((f) => f.replace(/^or /, "").startsWith(root.text)).map((f) => f.replace(/^or /, "")).join(" or ")}`;
}

function shapeHint(source: string, segments: readonly Segment[]): string {
  // `organization/Roles/x`: the fixed words are lower case.
  const fixed = new Set(["policies", "roles", "rules"]);
  const lowered = source
    .split("/")
    .map((s, i) => (i > 0 && fixed.has(s.toLowerCase()) ? s.toLowerCase() : s))
    .join("/");
  if (lowered !== source) {
    try {
      compilePattern(lowered);
      return `write \`${lowered}\` (segments are case-sensitive)`;
    } catch {
      // fall through to the forms
    }
  }
  const parts = source.split("/");
  const escaped = escapedNameHint(parts);
  if (escaped) return escaped;
  const root = segments[0]!.text;
  const numbered = root === "cedar" && parts[3] === "rules" ? " (rules are numbered from 1)" : "";
  return `addresses are ${FORMS}: e.g. \`${exampleLike(parts, root)}\`${numbered}; \`*\` matches within one segment, \`**\` across segments`;
}

/** `organization/roles/Ops/Oncall`: a name holding `/` is written `Ops\/Oncall`, when that makes an address. */
function escapedNameHint(parts: readonly string[]): string | undefined {
  const at = parts[0] === "projects" ? 2 : parts[0] === "organization" ? 1 : -1;
  if (at < 0 || parts.length <= at + 2 || (parts[at] !== "policies" && parts[at] !== "roles")) return undefined;
  const candidate = [...parts.slice(0, at + 1), parts.slice(at + 1).join("\\/")].join("/");
  try {
    compilePattern(candidate);
  } catch {
    return undefined;
  }
  return `a \`/\` inside a name is written \`\\/\`: \`${candidate}\``;
}

/** An address of the written root's forms, keeping the written name when there is one (never a fixed word). */
function exampleLike(parts: readonly string[], root: string): string {
  const fixed = new Set(["organization", "projects", "cedar", "policies", "roles", "rules"]);
  const last = parts[parts.length - 1] ?? "";
  if (root === "cedar" && parts[3] === "rules") return `cedar/policies/${parts[2] ?? "*"}/rules/1`;
  const name = last === "" || fixed.has(last) || /^\d+$/.test(last) ? "*" : last;
  return root === "projects" ? `projects/*/roles/${name}` : root === "cedar" ? `cedar/policies/${name}` : `organization/roles/${name}`;
}

function segmentMatches(seg: Segment, text: string): boolean {
  const parts = seg.parts;
  if (parts.length === 1) return parts[0] === text;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last)) return false;
  let pos = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const at = text.indexOf(parts[i]!, pos);
    if (at < 0 || at + parts[i]!.length > end) return false;
    pos = at + parts[i]!.length;
  }
  return true;
}

function matchFrom(pattern: Segment[], pi: number, texts: string[], ti: number): boolean {
  if (pi === pattern.length) return ti === texts.length;
  const seg = pattern[pi]!;
  if (seg.doubleStar) {
    for (let k = ti; k <= texts.length; k++) if (matchFrom(pattern, pi + 1, texts, k)) return true;
    return false;
  }
  return ti < texts.length && segmentMatches(seg, texts[ti]!) && matchFrom(pattern, pi + 1, texts, ti + 1);
}

/** The unescaped segments of an address, for matching. */
export function addressSegments(a: Address): string[] {
  switch (a.kind) {
    case "org-policy":
      return ["organization", "policies", a.name];
    case "org-role":
      return ["organization", "roles", a.name];
    case "project-policy":
      return ["projects", a.project, "policies", a.name];
    case "project-role":
      return ["projects", a.project, "roles", a.name];
    case "cedar-policy":
      return ["cedar", "policies", a.name];
    case "cedar-rule":
      return ["cedar", "policies", a.policy, "rules", String(a.ordinal)];
  }
}

/** Whether the pattern names this address. A rule follows its policy: a pattern naming the policy names its rules. */
export function matchPattern(p: Pattern, a: Address): boolean {
  const target: Address = a.kind === "cedar-rule" ? { kind: "cedar-policy", name: a.policy } : a;
  return matchFrom(p.segments, 0, addressSegments(target), 0) || (a.kind === "cedar-rule" && matchFrom(p.segments, 0, addressSegments(a), 0));
}

export function matchAny(patterns: readonly Pattern[], a: Address): boolean {
  return patterns.some((p) => matchPattern(p, a));
}
