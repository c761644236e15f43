/**
 * The Cedar policy API adapter (docs/services.md#the-cedar-policy-api): policies holding ordered Cedar rules,
 * cursor pagination followed to the end, wire fields (snake_case) mapped into the live model. Rules are written as
 * `policy_text` (one Cedar statement); the service stores them as structured fields and answers the text
 * assembled from those, so what comes back is equal in meaning, not in bytes. The calls the vendor does not
 * document are listed, and handled, in one table: `CEDAR_CALLS`.
 */
import type { CedarPolicySettings, CedarRuleSettings, LiveCedarPolicy, LiveCedarRule } from "./types.js";
import type { RuleScopeFields } from "../cedar/rule-fields.js";
import { UserError } from "../errors/user-errors.js";
import { createHttpClient, shortText, type HttpClient, type HttpClientOptions, type ServerError } from "./http-client.js";
import { HttpError, isNotFound } from "./http-error.js";
import { ShapeError, arr, boolOr, num, numOrNull, obj, str, strOrNull, type Obj } from "./wire.js";

export interface CedarClientOptions extends Omit<HttpClientOptions, "headers" | "secrets" | "readError"> {
  apiKey: string;
  tenantId: string;
  /** Items per list page (default and maximum 250: fewest requests). */
  pageLimit?: number;
}

/** A policy to create: its name and maximum duration are required; the API's defaults apply to what is left out. */
export type CedarPolicyInput = Pick<CedarPolicySettings, "name" | "maxDurationSeconds"> & Partial<CedarPolicySettings>;

export type CedarPolicyPatch = Partial<CedarPolicySettings>;

/** A rule to create: one Cedar statement; left out, `ordinal` puts it last and the others take the API's defaults. */
export type CedarRuleInput = Pick<CedarRuleSettings, "text"> & Partial<CedarRuleSettings>;

/** A rule's changed fields; its position changes only through the policy's reorder. */
export type CedarRulePatch = Partial<Omit<CedarRuleSettings, "ordinal">>;

/**
 * The one place that knows the Cedar API's field names: model name → wire name, for writing (only the fields
 * given) and reading. Everything else — the plan, apply, the renderers — uses the model's names.
 */
const POLICY_WIRE = {
  name: "name",
  description: "description",
  enabled: "enabled",
  priority: "priority",
  maxDurationSeconds: "max_duration_seconds",
  defaultDurationSeconds: "default_duration_seconds",
  notificationChannel: "notification_channel",
} as const satisfies Record<keyof CedarPolicySettings, string>;

const RULE_WIRE = {
  text: "policy_text",
  ordinal: "ordinal",
  notice: "notice",
  auditSession: "audit_session",
} as const satisfies Record<keyof CedarRuleSettings, string>;

/** A policy as the list answers it: without rules, with how many it holds (null when the service does not say). */
export type CedarPolicySummary = Omit<LiveCedarPolicy, "rules"> & { ruleCount: number | null };

export interface CedarClient {
  readonly http: HttpClient;
  /** Every policy; `onPage` is told each page as it arrives, so a caller can start reading while paging goes on. */
  listPolicies(onPage?: (page: CedarPolicySummary[]) => void): Promise<CedarPolicySummary[]>;
  /** With its rules nested, as the service returns them (not paginated; see `fetch-live.ts` for completeness). */
  getPolicy(policyId: string): Promise<LiveCedarPolicy>;
  listRules(policyId: string): Promise<LiveCedarRule[]>;
  createPolicy(input: CedarPolicyInput): Promise<LiveCedarPolicy>;
  updatePolicy(policyId: string, patch: CedarPolicyPatch): Promise<LiveCedarPolicy>;
  createRule(policyId: string, input: CedarRuleInput): Promise<LiveCedarRule>;
  /** The documented reorder: `ids` must be every rule id of the policy, in the new order (never a partial list). */
  reorderRules(policyId: string, ids: readonly string[]): Promise<void>;
  /** Undocumented (`CEDAR_CALLS.updateRule`): a 404 or 405 is settled as the table says. */
  updateRule(policyId: string, ruleId: string, patch: CedarRulePatch): Promise<LiveCedarRule>;
  /** Undocumented (`CEDAR_CALLS.deleteRule`): "already-gone" when a 404 is confirmed by reading the rule. */
  deleteRule(policyId: string, ruleId: string): Promise<Deleted>;
  /** Undocumented (`CEDAR_CALLS.deletePolicy`); deletes its rules with it. "already-gone" as for a rule. */
  deletePolicy(policyId: string): Promise<Deleted>;
}

/** How a DELETE ended: the object was deleted now, or a 404 that a documented read confirmed. */
export type Deleted = "deleted" | "already-gone";

export const MAX_PAGE_LIMIT = 250;

interface CedarCall {
  method: "POST" | "PATCH" | "DELETE";
  path: string;
  /** In the vendor's published reference. */
  documented: boolean;
  /**
   * Undocumented calls only: accessctl relies on the call anyway. `updateRule.assumed = false` makes plans replace
   * a changed rule by a create and a delete instead of PATCHing it.
   */
  assumed?: boolean;
  /** Undocumented calls only: the documented read that tells, after a 404, whether the target is gone. */
  check?: string;
}

/**
 * The adapter's capability table: every write accessctl makes to the Cedar policy API. Three are not in the
 * vendor's published reference — the rule PATCH, the rule DELETE and the policy DELETE (docs/services.md#assumptions)
 * — and this table is the one place that says so: the planner reads `updateRule.assumed`, and every undocumented
 * call goes through `undocumented()` below, which turns the service's "I do not have this" into a stop instead of
 * a guess: a 405 at once; a 404 after the `check` read finds the target still there. A 404 whose target is really
 * gone is a done DELETE, and a PATCH whose rule changed meanwhile ("plan again"). Never a retry loop.
 */
export const CEDAR_CALLS = {
  createPolicy: { method: "POST", path: "/v1/policies", documented: true },
  updatePolicy: { method: "PATCH", path: "/v1/policies/{policyId}", documented: true },
  deletePolicy: { method: "DELETE", path: "/v1/policies/{policyId}", documented: false, assumed: true, check: "GET /v1/policies/{policyId}" },
  createRule: { method: "POST", path: "/v1/policies/{policyId}/rules", documented: true },
  reorderRules: { method: "PATCH", path: "/v1/policies/{policyId}/rules/reorder", documented: true },
  updateRule: {
    method: "PATCH",
    path: "/v1/policies/{policyId}/rules/{ruleId}",
    documented: false,
    assumed: true,
    check: "GET /v1/policies/{policyId}/rules/{ruleId}",
  },
  deleteRule: {
    method: "DELETE",
    path: "/v1/policies/{policyId}/rules/{ruleId}",
    documented: false,
    assumed: true,
    check: "GET /v1/policies/{policyId}/rules/{ruleId}",
  },
} as const satisfies Record<string, CedarCall>;

export type CedarCallName = keyof typeof CEDAR_CALLS;

/**
 * The service lacks a call accessctl assumed (a 405, or a 404 whose target a documented read still finds). The
 * run stops: nothing else is guessed.
 */
export class UndocumentedCallError extends UserError {
  override readonly name = "UndocumentedCallError";
  constructor(
    readonly call: CedarCallName,
    what: string,
  ) {
    const c = CEDAR_CALLS[call];
    super(
      `${what}. ${c.method} ${c.path} is not in the Cedar policy API's published reference: accessctl assumed the service offers it (docs/services.md#assumptions), and this service does not; the run stops`,
      undefined,
      "this service lacks a call accessctl relies on: make this change in the service's own console; docs/services.md#assumptions lists what accessctl assumes",
    );
  }
}

/** A PATCH whose rule is gone: it changed outside accessctl since the plan. */
export class ChangedMeanwhileError extends UserError {
  override readonly name = "ChangedMeanwhileError";
  constructor(what: string) {
    super(`${what}: it changed outside accessctl meanwhile; plan again`, undefined, "run plan to see the live state, then apply again");
  }
}

export function createCedarClient(options: CedarClientOptions): CedarClient {
  const { apiKey, tenantId, pageLimit = MAX_PAGE_LIMIT, ...rest } = options;
  const http = createHttpClient({
    ...rest,
    service: "cedar",
    headers: { "X-API-Key": apiKey, "X-Tenant-ID": tenantId },
    secrets: [apiKey],
    readError: readCedarError,
  });
  const limit = Math.min(MAX_PAGE_LIMIT, Math.max(1, pageLimit));
  const policyPath = (id: string) => `/v1/policies/${encodeURIComponent(id)}`;
  const rulePath = (policyId: string, ruleId: string) => `${policyPath(policyId)}/rules/${encodeURIComponent(ruleId)}`;

  async function listAll<T>(path: string, read: (o: Obj, at: string) => T, onPage?: (page: T[]) => void): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await http.request("GET", path, {
        query: { limit, cursor },
        parse: (body) => {
          const o = obj(body, "body");
          const data = arr(o["data"], "body.data").map((item, i) => read(obj(item, `body.data[${i}]`), `body.data[${i}]`));
          const next = strOrNull(o, "next_cursor", "body");
          const hasMore = boolOr(o, "has_more", next !== null, "body");
          if (hasMore && next === null) throw new ShapeError("has_more is true but next_cursor is null");
          // A cursor seen before would loop for ever: the service's pagination is broken, say so.
          if (hasMore && next !== null && seen.has(next)) throw new ShapeError(`next_cursor ${next} repeats`);
          return { data, next: hasMore ? next : null };
        },
      });
      items.push(...page.data);
      onPage?.(page.data);
      if (page.next === null) return items;
      seen.add(page.next);
      cursor = page.next;
    }
  }

  /**
   * One undocumented call (`CEDAR_CALLS[name]`): a 405 stops the run; a 404 is checked with the documented read
   * (`check`): target gone → `gone()` decides (a DELETE is done; a PATCH changed meanwhile); still there → the call
   * is missing, and the run stops. Any other answer is the caller's, as for every call.
   */
  async function undocumented<T>(name: "updateRule" | "deleteRule" | "deletePolicy", send: () => Promise<T>, exists: () => Promise<boolean>, gone: (e: HttpError) => T): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof HttpError) || error.kind !== "status") throw error;
      if (error.status === 405) throw new UndocumentedCallError(name, error.message);
      if (error.status !== 404) throw error;
      if (!(await exists())) return gone(error);
      throw new UndocumentedCallError(name, `${error.message}, yet ${CEDAR_CALLS[name].check} still finds it`);
    }
  }

  /** A documented GET that answers whether the object is there (404: no). */
  const found = async (path: string): Promise<boolean> => {
    try {
      await http.request("GET", path);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  };

  const removed = (name: "deleteRule" | "deletePolicy", path: string): Promise<Deleted> =>
    undocumented(
      name,
      async () => {
        await http.request("DELETE", path);
        return "deleted" as const;
      },
      () => found(path),
      () => "already-gone" as const,
    );

  return {
    http,
    listPolicies: (onPage) => listAll("/v1/policies", readSummary, onPage),
    getPolicy: (id) => http.request("GET", policyPath(id), { parse: (b) => readFull(obj(b, "body"), "body") }),
    listRules: async (id) => sortRules(await listAll(`${policyPath(id)}/rules`, readRule)),
    createPolicy: (input) =>
      http.request("POST", "/v1/policies", { body: policyWire(input), parse: (b) => readFull(obj(b, "body"), "body") }),
    updatePolicy: (id, patch) =>
      http.request("PATCH", policyPath(id), { body: policyWire(patch), parse: (b) => readFull(obj(b, "body"), "body") }),
    deletePolicy: (id) => removed("deletePolicy", policyPath(id)),
    createRule: (policyId, input) =>
      http.request("POST", `${policyPath(policyId)}/rules`, { body: ruleWire(input), parse: (b) => readRule(obj(b, "body"), "body") }),
    // The answer ("Reordered") carries nothing accessctl needs.
    reorderRules: async (policyId, ids) => {
      await http.request("PATCH", `${policyPath(policyId)}/rules/reorder`, { body: { ids: [...ids] }, parse: () => undefined });
    },
    updateRule: (policyId, ruleId, patch) =>
      undocumented(
        "updateRule",
        () => http.request("PATCH", rulePath(policyId, ruleId), { body: ruleWire(patch), parse: (b) => readRule(obj(b, "body"), "body") }),
        () => found(rulePath(policyId, ruleId)),
        (e) => {
          throw new ChangedMeanwhileError(`${e.message}: rule ${ruleId} is gone`);
        },
      ),
    deleteRule: (policyId, ruleId) => removed("deleteRule", rulePath(policyId, ruleId)),
  };
}

/** The service lists rules by (ordinal, created_at); sorted again so the model does not depend on it. */
export function sortRules(rules: LiveCedarRule[]): LiveCedarRule[] {
  return rules.sort((a, b) => a.ordinal - b.ordinal || (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** Only the fields given are sent, so a PATCH touches nothing else. */
function toWire<K extends string>(names: Readonly<Record<K, string>>, fields: Partial<Record<K, unknown>>): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const key of Object.keys(names) as K[]) {
    const value = fields[key];
    if (value !== undefined) wire[names[key]] = value;
  }
  return wire;
}

/** A policy's fields as the API names them (only those given). */
export const policyWire = (p: CedarPolicyPatch): Record<string, unknown> => toWire(POLICY_WIRE, p);

/** A rule's fields as the API names them (only those given). */
export const ruleWire = (r: Partial<CedarRuleSettings>): Record<string, unknown> => toWire(RULE_WIRE, r);

function readCedarError(body: unknown): ServerError {
  if (typeof body === "string") return { message: shortText(body), code: null };
  if (typeof body !== "object" || body === null) return { message: null, code: null };
  const b = body as Record<string, unknown>;
  const code = typeof b["code"] === "string" ? b["code"] : null;
  let message = typeof b["message"] === "string" ? b["message"] : code;
  // An invalid_cedar answer carries the parser's complaint in `details`; without it the message says too little.
  const details = b["details"];
  const detail =
    typeof details === "string"
      ? details
      : typeof details === "object" && details !== null && typeof (details as Record<string, unknown>)["message"] === "string"
        ? ((details as Record<string, unknown>)["message"] as string)
        : null;
  if (detail !== null && message !== null && !message.includes(detail)) message = `${message}: ${detail}`;
  // `notices` are the service's words to the user about this answer: shown with the error, never dropped.
  const notices = Array.isArray(b["notices"]) ? b["notices"].filter((n): n is string => typeof n === "string" && n.trim() !== "") : [];
  if (notices.length > 0) message = `${message ?? "(no message)"} (notice${notices.length === 1 ? "" : "s"} from the service: ${notices.join("; ")})`;
  return { message, code };
}

function readPolicyFields(o: Obj, at: string): Omit<LiveCedarPolicy, "rules"> {
  const w = POLICY_WIRE;
  return {
    id: str(o, "id", at),
    name: str(o, w.name, at),
    description: strOrNull(o, w.description, at),
    enabled: boolOr(o, w.enabled, true, at),
    priority: numOrNull(o, w.priority, at) ?? 0,
    maxDurationSeconds: num(o, w.maxDurationSeconds, at),
    defaultDurationSeconds: numOrNull(o, w.defaultDurationSeconds, at),
    notificationChannel: strOrNull(o, w.notificationChannel, at),
  };
}

function readSummary(o: Obj, at: string): CedarPolicySummary {
  return { ...readPolicyFields(o, at), ruleCount: numOrNull(o, "rule_count", at) };
}

function readFull(o: Obj, at: string): LiveCedarPolicy {
  const rules = o["rules"] === undefined || o["rules"] === null ? [] : arr(o["rules"], `${at}.rules`);
  return {
    ...readPolicyFields(o, at),
    rules: sortRules(rules.map((r, i) => readRule(obj(r, `${at}.rules[${i}]`), `${at}.rules[${i}]`))),
  };
}

function readRule(o: Obj, at: string): LiveCedarRule {
  const rule: LiveCedarRule = {
    id: str(o, "id", at),
    ordinal: num(o, RULE_WIRE.ordinal, at),
    text: str(o, RULE_WIRE.text, at),
    notice: strOrNull(o, RULE_WIRE.notice, at),
    auditSession: boolOr(o, RULE_WIRE.auditSession, true, at),
    createdAt: strOrNull(o, "created_at", at) ?? "",
  };
  const fields = readRuleFields(o);
  if (fields !== undefined) rule.fields = fields;
  return rule;
}

const ENTITY_SCOPES = new Set(["any", "eq", "in", "is", "is_in"]);
const ACTION_SCOPES = new Set(["any", "eq", "in"]);

/** The structured fields when the service gave all of them well-formed; otherwise none (the text still says it all). */
function readRuleFields(o: Obj): RuleScopeFields | undefined {
  const s = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : undefined);
  const sn = (k: string) => (o[k] === null || o[k] === undefined ? null : typeof o[k] === "string" ? (o[k] as string) : undefined);
  const effect = s("effect");
  const p = s("principal_scope_type");
  const a = s("action_scope_type");
  const r = s("resource_scope_type");
  const ids = o["action_ids"] ?? [];
  const [pt, pid, rt, rid, cond] = [
    sn("principal_entity_type"),
    sn("principal_entity_id"),
    sn("resource_entity_type"),
    sn("resource_entity_id"),
    sn("conditions"),
  ];
  if (effect !== "permit" && effect !== "forbid") return undefined;
  if (p === undefined || !ENTITY_SCOPES.has(p) || r === undefined || !ENTITY_SCOPES.has(r)) return undefined;
  if (a === undefined || !ACTION_SCOPES.has(a)) return undefined;
  if (!Array.isArray(ids) || !ids.every((x): x is string => typeof x === "string")) return undefined;
  if (pt === undefined || pid === undefined || rt === undefined || rid === undefined || cond === undefined) return undefined;
  return {
    effect,
    principal_scope_type: p as RuleScopeFields["principal_scope_type"],
    principal_entity_type: pt,
    principal_entity_id: pid,
    action_scope_type: a as RuleScopeFields["action_scope_type"],
    action_ids: [...ids],
    resource_scope_type: r as RuleScopeFields["resource_scope_type"],
    resource_entity_type: rt,
    resource_entity_id: rid,
    conditions: cond,
  };
}
