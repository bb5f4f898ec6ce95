// zod → JSON Schema for tools/list. Draft-07 without a $schema key, the dialect MCP clients validate with.
import { z } from "zod";
import { CLIENT_ID_PATTERN } from "../security/validation.ts";

type Json = Record<string, unknown>;

export function toToolJsonSchema(schema: z.ZodType, io: "input" | "output"): { type: "object"; [k: string]: unknown } {
  const json = compact(z.toJSONSchema(schema, { target: "draft-7", io, unrepresentable: "any" })) as Json;
  delete json.$schema;
  return { ...json, type: "object" };
}

/**
 * The rules a caller needs, in fewer tokens; the server still checks every value with zod. A `format` (date,
 * date-time, uuid, email) already names the rule, so zod's regex for it (about a hundred tokens a field) goes;
 * `propertyNames: {type: string}` holds for any JSON object; `minLength: 1` on text fields and sanity bounds
 * (free text of 200+ characters, maxima of a million and more) go: a value breaking them is refused by name;
 * a client_id's pattern goes too: it is the most repeated rule of all, the server's instructions state the
 * form (cs_<digits>_<slug>) once per session, and ids are copied from list_clients, never composed; `anyOf: [X, {type: null}]` with X a plain typed schema becomes X
 * with `type: [X's type, "null"]` (X's other keywords only constrain values of X's type, so null still passes).
 */
/** Bounds at or above these are sanity limits (free text, counters), not rules a caller plans around. */
const SANITY_LENGTH = 200;
const SANITY_MAXIMUM = 1_000_000;

function compact(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(compact);
  if (typeof s !== "object" || s === null) return s;
  const src = s as Json;
  const isClientId = src.pattern === CLIENT_ID_PATTERN.source;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === "pattern" && typeof src.format === "string") continue;
    if (k === "propertyNames" && isStringType(v)) continue;
    if (k === "minLength" && v === 1) continue;
    if (isClientId && (k === "pattern" || k === "maxLength")) continue;
    if ((k === "maxLength" && typeof v === "number" && v >= SANITY_LENGTH) || (k === "maximum" && typeof v === "number" && v >= SANITY_MAXIMUM)) continue;
    out[k] = k === "enum" || k === "const" || k === "default" || k === "examples" ? v : compact(v);
  }
  const alts = out.anyOf;
  if (Array.isArray(alts) && alts.length === 2) {
    const nullAt = alts.findIndex((a) => isNullType(a));
    const other = alts[1 - nullAt] as Json | undefined;
    if (nullAt >= 0 && other && typeof other.type === "string" && other.enum === undefined && other.const === undefined && other.anyOf === undefined) {
      delete out.anyOf;
      return { ...out, ...other, type: [other.type, "null"] };
    }
  }
  return out;
}

const isStringType = (v: unknown) => typeof v === "object" && v !== null && Object.keys(v).length === 1 && (v as Json).type === "string";
const isNullType = (v: unknown) => typeof v === "object" && v !== null && Object.keys(v).length === 1 && (v as Json).type === "null";

/** Object levels whose property names an advertised output schema still lists; deeper objects are `{type:"object"}`. */
export const OUTPUT_SCHEMA_LEVELS = 1;

/**
 * The output schema as advertised in tools/list: the shape (property names, types, enums, required keys)
 * down to OUTPUT_SCHEMA_LEVELS object levels, without prose or value constraints. Every rule kept is one the
 * zod schema also enforces and every rule dropped only widens it, so each result the pipeline's strict zod
 * check lets through also satisfies this schema (the SDK client validates structuredContent against it).
 * The field-by-field meaning lives in the descriptions and in each result's own `formula`/`rule` fields.
 */
export function toOutputJsonSchema(schema: z.ZodType): { type: "object"; [k: string]: unknown } {
  return { ...shapeOf(toToolJsonSchema(schema, "output"), 0), type: "object" };
}

function shapeOf(s: unknown, level: number): Json {
  if (typeof s !== "object" || s === null) return {};
  const src = s as Json;
  const alts = (src.anyOf ?? src.oneOf) as unknown[] | undefined;
  if (alts) return union(alts.map((a) => shapeOf(a, level)));
  const out: Json = {};
  if (src.type !== undefined) out.type = src.type;
  if (Array.isArray(src.enum)) out.enum = src.enum;
  if (src.const !== undefined) out.const = src.const;
  const types = Array.isArray(src.type) ? src.type : [src.type];
  if (types.includes("object") && src.properties && level < OUTPUT_SCHEMA_LEVELS) {
    out.properties = Object.fromEntries(Object.entries(src.properties as Json).map(([k, v]) => [k, shapeOf(v, level + 1)]));
  }
  if (types.includes("array") && src.items && !Array.isArray(src.items) && level < OUTPUT_SCHEMA_LEVELS) {
    const items = shapeOf(src.items, level);
    if (Object.keys(items).length) out.items = items;
  }
  return out;
}

/** A union of alternatives; alternatives that are a bare type merge into one `type` list. */
function union(alts: Json[]): Json {
  if (alts.some((a) => Object.keys(a).length === 0)) return {};
  const bare = alts.every((a) => Object.keys(a).length === 1 && a.type !== undefined);
  if (bare) {
    const types = [...new Set(alts.flatMap((a) => (Array.isArray(a.type) ? a.type : [a.type])))];
    return { type: types.length === 1 ? types[0] : types };
  }
  // One structured alternative plus null: put null in its type list rather than repeat a union.
  const nonNull = alts.filter((a) => !(Object.keys(a).length === 1 && a.type === "null"));
  if (nonNull.length === 1 && alts.length === 2 && typeof nonNull[0]!.type === "string" && nonNull[0]!.enum === undefined && nonNull[0]!.const === undefined) {
    return { ...nonNull[0], type: [nonNull[0]!.type, "null"] };
  }
  return { anyOf: alts };
}
