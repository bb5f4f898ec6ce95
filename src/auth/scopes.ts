// What a principal may call. Every tool needs exactly one scope: cs:admin for the tools named in
// ADMIN_TOOLS, otherwise cs:read when its readOnlyHint is true and cs:write when it is not. Scopes do not
// imply one another (a cs:write token cannot read unless it also holds cs:read), so a token grants
// exactly what it names. A per-key toolset list and read-only flag narrow this further.
import type { AnyTool } from "../server/define-tool.ts";
import { ToolError } from "../server/errors.ts";
import type { Principal, Scope } from "./principal.ts";

export const SCOPES: readonly Scope[] = ["cs:read", "cs:write", "cs:admin"];

/**
 * The tools only cs:admin may call, with the reason (tests/fixtures/tool-catalog.yaml, system toolset).
 * Keys themselves are managed with `cs-mcp keys` on the server's own database, not through a tool.
 */
export const ADMIN_TOOLS: Readonly<Record<string, string>> = {
  erase_personal_data: "GDPR erasure destroys every record naming a person",
  export_personal_data: "GDPR export returns every record naming a person, across accounts",
  retry_outbox_delivery: "re-sends a queued email, ticket or event to a vendor, possibly a second time",
  train_churn_model: "replaces the churn model every churn figure of every account comes from",
};

export function requiredScope(tool: Pick<AnyTool, "name" | "annotations">): Scope {
  if (Object.hasOwn(ADMIN_TOOLS, tool.name)) return "cs:admin";
  return tool.annotations.readOnlyHint ? "cs:read" : "cs:write";
}

/** Why the principal may not call the tool, or null when it may. */
export function refusal(principal: Principal, tool: Pick<AnyTool, "name" | "toolset" | "annotations">): string | null {
  const scope = requiredScope(tool);
  if (!principal.scopes.includes(scope)) return `${tool.name} needs the ${scope} scope, which ${describe(principal)} does not hold`;
  if (principal.toolsets && principal.toolsets.length > 0 && !principal.toolsets.includes(tool.toolset)) {
    return `${tool.name} is in the ${tool.toolset} toolset, which ${describe(principal)} may not use (allowed: ${principal.toolsets.join(", ")})`;
  }
  if (principal.readOnly && !tool.annotations.readOnlyHint) return `${tool.name} writes, and ${describe(principal)} is read-only`;
  return null;
}

export function toolVisibleTo(principal: Principal | undefined, tool: Pick<AnyTool, "name" | "toolset" | "annotations">): boolean {
  return principal === undefined || refusal(principal, tool) === null;
}

/** Throws the `forbidden` tool error when the principal may not call the tool; no principal (stdio) may call all. */
export function authorizeCall(principal: Principal | undefined, tool: Pick<AnyTool, "name" | "toolset" | "annotations">): void {
  if (!principal) return;
  const why = refusal(principal, tool);
  if (why) throw new ToolError("forbidden", why, "ask an administrator for a key or token that allows it; nothing was changed", { required_scope: requiredScope(tool) });
}

/** Who made a change, as the audit log's actor column records it. */
export function actorOf(principal: Principal): string {
  return principal.subject;
}

/** The rate-limit bucket of a principal: one per subject and way of signing in, shared by every instance. */
export function rateLimitKey(principal: Principal): string {
  return `${principal.via}:${principal.subject}`;
}

function describe(principal: Principal): string {
  return principal.via === "api_key" ? `API key '${principal.subject.replace(/^key:/, "")}'` : `the token of '${principal.subject}'`;
}
