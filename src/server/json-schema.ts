// zod → JSON Schema for tools/list. Draft-07 without a $schema key, the dialect MCP clients validate with.
import { z } from "zod";

export function toToolJsonSchema(schema: z.ZodType, io: "input" | "output"): { type: "object"; [k: string]: unknown } {
  const json = z.toJSONSchema(schema, { target: "draft-7", io, unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  return { ...json, type: "object" };
}
