// Per-recipient rendering of email templates with Handlebars (4.7): the HTML part HTML-escaped, the
// subject and the plain-text part not escaped (they are not HTML). Templates are checked before anything is
// written: every {{token}} must be a stored token or a personalization token, only {{#if}} / {{#unless}}
// blocks are allowed, and the HTML part may not use {{{triple}}} or {{& ...}} (unescaped) output, so a
// contact named `<script>` always arrives escaped. Compiled in strict mode as a second guard: a token with
// no key in the context throws instead of rendering as an empty string.
import Handlebars from "handlebars";
import { validationError } from "../../server/errors.ts";

/** Tokens filled per recipient from stored rows (accounts, contacts, contracts). */
export const STORED_TOKENS = [
  "first_name",
  "last_name",
  "contact_name",
  "contact_email",
  "contact_role",
  "company_name",
  "client_name",
  "client_id",
  "industry",
  "tier",
  "lifecycle_stage",
  "health_score",
  "arr",
  "currency",
  "seats",
  "renewal_date",
  "csm_name",
  "csm_email",
] as const;
export type StoredToken = (typeof STORED_TOKENS)[number];
export type TokenValues = Record<string, string | null>;

const TOKEN_NAME = /^[a-z_][a-z0-9_]{0,63}$/;
const BLOCK_HELPERS = new Set(["if", "unless"]);

export type PartKind = "subject" | "html" | "text";

export interface TemplatePart {
  /** The parameter the template came from, named in errors (subject_line, body_html, …). */
  field: string;
  kind: PartKind;
  source: string;
}

/** Personalization tokens given to a call: names checked, values as strings. */
export function checkCustomTokens(tokens: Record<string, string | number | boolean> | undefined, field = "personalization_tokens"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tokens ?? {})) {
    if (!TOKEN_NAME.test(k)) throw validationError(`${field}.${k}: a token name must be lowercase letters, digits and underscores, starting with a letter or underscore (at most 64 characters)`);
    if ((STORED_TOKENS as readonly string[]).includes(k)) {
      throw validationError(`${field}.${k}: is a stored token filled per recipient from the database; choose another name for a custom token`);
    }
    out[k] = String(v);
  }
  return out;
}

type Node = { type: string; [k: string]: unknown };
type PathNode = { type: "PathExpression"; original: string; parts: string[]; data: boolean; depth: number };

/** Every problem of one template, as `field: …` messages; the tokens it uses. */
function inspect(part: TemplatePart, known: ReadonlySet<string>): { problems: string[]; used: Set<string> } {
  const problems: string[] = [];
  const used = new Set<string>();
  let ast: Node;
  try {
    ast = Handlebars.parse(part.source) as unknown as Node;
  } catch (err) {
    const first = String((err as Error).message).split("\n")[0];
    return { problems: [`${part.field}: is not a valid template (${first})`], used };
  }
  const token = (p: unknown) => {
    const path = p as PathNode;
    if (path.type !== "PathExpression") {
      if (path.type === "SubExpression") problems.push(`${part.field}: sub-expressions (…) are not supported; use plain {{token}}`);
      return; // literals (strings, numbers, booleans) are fine as #if arguments
    }
    if (path.data || path.depth > 0 || path.parts.length !== 1) {
      problems.push(`${part.field}: {{${path.original}}} is not a token; use a plain name such as {{first_name}}`);
      return;
    }
    const name = path.parts[0]!;
    if (!known.has(name)) problems.push(`${part.field}: unknown token {{${name}}}`);
    else used.add(name);
  };
  const walk = (n: Node | null | undefined): void => {
    if (!n) return;
    switch (n.type) {
      case "Program":
        for (const s of n.body as Node[]) walk(s);
        return;
      case "ContentStatement":
      case "CommentStatement":
        return;
      case "MustacheStatement": {
        const params = (n.params as Node[]) ?? [];
        const hash = n.hash as { pairs?: unknown[] } | undefined;
        if (params.length || hash?.pairs?.length) {
          problems.push(`${part.field}: helpers such as {{${(n.path as PathNode).original} …}} are not supported; use {{token}} or {{#if token}}…{{/if}}`);
          return;
        }
        if (n.escaped === false && part.kind === "html") {
          problems.push(`${part.field}: {{{${(n.path as PathNode).original}}}} would insert the value without HTML escaping; use {{${(n.path as PathNode).original}}}`);
          return;
        }
        token(n.path);
        return;
      }
      case "BlockStatement": {
        const name = (n.path as PathNode).original;
        if (!BLOCK_HELPERS.has(name)) {
          problems.push(`${part.field}: block {{#${name}}} is not supported; only {{#if token}} and {{#unless token}}`);
          return;
        }
        const params = (n.params as Node[]) ?? [];
        if (params.length !== 1) problems.push(`${part.field}: {{#${name}}} needs exactly one token`);
        for (const p of params) token(p);
        walk(n.program as Node);
        walk(n.inverse as Node);
        return;
      }
      default:
        problems.push(`${part.field}: ${n.type === "PartialStatement" || n.type === "PartialBlockStatement" ? "partials {{> …}}" : `${n.type}`} are not supported`);
    }
  };
  walk(ast);
  return { problems, used };
}

export interface CompiledTemplates {
  /** Tokens the templates use (stored and custom). */
  used: string[];
  render(values: TokenValues): { subject: string; html?: string; text?: string };
}

/**
 * Checks and compiles the parts of one email. Throws one validation error naming every problem (first the
 * unknown tokens, with the list of known ones), before the caller writes anything.
 */
export function compileTemplates(parts: TemplatePart[], customTokens: Record<string, string>): CompiledTemplates {
  const known = new Set<string>([...STORED_TOKENS, ...Object.keys(customTokens)]);
  const problems: string[] = [];
  const used = new Set<string>();
  for (const p of parts) {
    const r = inspect(p, known);
    problems.push(...r.problems);
    for (const u of r.used) used.add(u);
  }
  if (problems.length) {
    const unknown = problems.some((m) => m.includes("unknown token"));
    throw validationError(
      problems.join("; "),
      unknown ? `known tokens: ${STORED_TOKENS.join(", ")}${Object.keys(customTokens).length ? `, ${Object.keys(customTokens).join(", ")}` : ""}; add your own with personalization_tokens` : undefined,
      { problems },
    );
  }
  // An isolated environment: nothing registered globally by other code can leak into customer email.
  const env = Handlebars.create();
  const options = { strict: true, knownHelpers: { if: true, unless: true }, knownHelpersOnly: true } as const;
  const compiled = parts.map((p) => ({ kind: p.kind, fn: env.compile(p.source, { ...options, noEscape: p.kind !== "html" }) }));
  return {
    used: [...used],
    render(values) {
      const ctx: Record<string, string> = { ...customTokens };
      for (const [k, v] of Object.entries(values)) ctx[k] = v ?? "";
      const out: { subject: string; html?: string; text?: string } = { subject: "" };
      for (const c of compiled) {
        const s = c.fn(ctx);
        // A subject is one header line: line breaks from a value must not start a new header.
        if (c.kind === "subject") out.subject = s.replace(/\s*[\r\n]+\s*/g, " ").trim();
        else out[c.kind] = s;
      }
      return out;
    },
  };
}

/** 1234567.5 → "1,234,567.50" from the stored decimal text (no float arithmetic). */
export function formatAmount(decimal: string | null): string | null {
  if (decimal === null || decimal === undefined) return null;
  const [intPart = "0", frac = ""] = decimal.split(".");
  const neg = intPart.startsWith("-");
  const digits = neg ? intPart.slice(1) : intPart;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${neg ? "-" : ""}${grouped}.${(frac + "00").slice(0, 2)}`;
}

export interface RecipientFacts {
  account_id: string | null;
  company_name: string | null;
  client_name: string | null;
  industry: string | null;
  tier: string | null;
  lifecycle_stage: string | null;
  health_score: number | null;
  arr: string | null;
  currency: string | null;
  seats: number | null;
  renewal_date: string | null;
  csm_name: string | null;
  csm_email: string | null;
  contact_name: string | null;
  contact_email: string;
  contact_role: string | null;
}

/** The stored-token values of one recipient; null where the database has no value. */
export function tokenValues(r: RecipientFacts): TokenValues {
  const name = r.contact_name?.trim() || null;
  const words = name ? name.split(/\s+/) : [];
  return {
    first_name: words[0] ?? null,
    last_name: words.length > 1 ? words.slice(1).join(" ") : null,
    contact_name: name,
    contact_email: r.contact_email,
    contact_role: r.contact_role,
    company_name: r.company_name,
    client_name: r.client_name,
    client_id: r.account_id,
    industry: r.industry,
    tier: r.tier,
    lifecycle_stage: r.lifecycle_stage,
    health_score: r.health_score === null ? null : String(r.health_score),
    arr: formatAmount(r.arr),
    currency: r.currency,
    seats: r.seats === null ? null : String(r.seats),
    renewal_date: r.renewal_date,
    csm_name: r.csm_name,
    csm_email: r.csm_email,
  };
}
