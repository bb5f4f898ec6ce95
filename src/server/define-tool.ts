// The one way a tool is defined: name, toolset, a description written for a model, strict zod input and
// output schemas, all three annotation hints set on purpose, and a thin handler that calls a service.
import type { z } from "zod";
import type { Services } from "../services/container.ts";
import type { Logger } from "../observability/logger.ts";

export const TOOLSETS = ["core", "health", "onboarding", "retention", "communication", "support", "expansion", "feedback", "system"] as const;
export type Toolset = (typeof TOOLSETS)[number];

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  openWorldHint: boolean;
  idempotentHint?: boolean;
}

export interface ToolContext {
  services: Services;
  logger: Logger;
  requestId: string;
  signal: AbortSignal;
  /** The server is read-only: a tool marked readOnlyCompute computes its figures and stores nothing. */
  readOnly?: boolean;
  /** Sends an MCP progress notification when the client asked for progress; a no-op otherwise. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
}

export interface ToolResult<O> {
  data: O;
  /** A short rendering for the model: what happened, with the ids the next call needs. */
  text: string;
}

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  toolset: Toolset;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  /**
   * The tool writes only figures it derives from stored data (scores, predictions, forecasts): under
   * --read-only it stays listed and computes them without storing (its handler honours ctx.readOnly).
   */
  readOnlyCompute?: true;
  handler(args: z.output<I>, ctx: ToolContext): Promise<ToolResult<z.input<O>>>;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = ToolDefinition<any, any>;

/** What the registry, tools/list, discovery, refusals and scopes read about a tool: no zod, no handler. */
export type ToolInfo = Pick<AnyTool, "name" | "toolset" | "title" | "description" | "annotations" | "readOnlyCompute">;

/** A JSON Schema as tools/list advertises it. */
export type ListedSchema = { type: "object"; [key: string]: unknown };

/**
 * A tool of the build-time catalog (src/tools/catalog.generated.ts): its listing, generated from the
 * definition, and how to import the definition (with the services its module reads) on first use.
 */
export interface CatalogTool extends ToolInfo {
  inputSchema: ListedSchema;
  outputSchema: ListedSchema;
  load(): Promise<AnyTool>;
}

/** A tool as a registry holds it: a definition at hand, or a catalog entry whose definition loads on first call. */
export type ToolRef = AnyTool | CatalogTool;

export const isDefinition = (tool: ToolRef): tool is AnyTool => "handler" in tool;
