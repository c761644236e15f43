/**
 * One request as a user types it (`accessctl explain User::"alice" view Document::"d1" --context '{…}'`) → entity
 * references and a context object, or every problem with what to write instead. A bare action id means
 * `Action::"id"`, as in rules.
 */
import type { EntityRef } from "../cedar/assemble.js";
import { isActionType, parseLiteral } from "./entity-keys.js";

export interface RequestProblem {
  part: "principal" | "action" | "resource" | "context";
  message: string;
  hint: string;
}

export interface ParsedRequest {
  principal: EntityRef;
  action: EntityRef;
  resource: EntityRef;
  context: Record<string, unknown>;
}

export type RequestParse = { ok: true; request: ParsedRequest } | { ok: false; problems: RequestProblem[] };

export function parseRequestLiterals(
  principal: string,
  action: string,
  resource: string,
  context?: string | Record<string, unknown>,
): RequestParse {
  const problems: RequestProblem[] = [];
  const entity = (part: "principal" | "resource", text: string): EntityRef | undefined => {
    const ref = parseLiteral(text);
    if (!ref) {
      problems.push({
        part,
        message: `${part} ${JSON.stringify(text)} is not a Cedar entity literal`,
        hint: `write it as Type::"id", e.g. User::"alice" (in a shell, quote it: 'User::"alice"')`,
      });
    }
    return ref;
  };
  const p = entity("principal", principal);
  const r = entity("resource", resource);
  const a = parseLiteral(action, true);
  if (!a) {
    problems.push({
      part: "action",
      message: `action ${JSON.stringify(action)} is neither an action id nor a Cedar entity literal`,
      hint: `write a bare id (view, meaning Action::"view") or a literal such as Action::"view"`,
    });
  } else if (!isActionType(a.type)) {
    problems.push({
      part: "action",
      message: `action ${JSON.stringify(action)} is an entity of type ${a.type}, not an action`,
      hint: `actions have the type Action (or NS::Action): write view or Action::"view"`,
    });
  }
  const ctx = parseContext(context, problems);
  if (problems.length > 0 || !p || !a || !r || !ctx) return { ok: false, problems };
  return { ok: true, request: { principal: p, action: a, resource: r, context: ctx } };
}

function parseContext(context: string | Record<string, unknown> | undefined, problems: RequestProblem[]): Record<string, unknown> | undefined {
  const hint = `pass a JSON object, e.g. --context '{"ticket": "INC-1"}'`;
  if (context === undefined) return {};
  let value: unknown = context;
  if (typeof context === "string") {
    try {
      value = JSON.parse(context);
    } catch (err) {
      problems.push({ part: "context", message: `the context is not valid JSON: ${(err as Error).message}`, hint });
      return undefined;
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    problems.push({ part: "context", message: `the context must be a JSON object, got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}`, hint });
    return undefined;
  }
  return value as Record<string, unknown>;
}
