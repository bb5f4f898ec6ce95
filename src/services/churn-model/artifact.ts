// A learned model as data: the checks every stored or imported model passes before it scores, and the
// export file (format name and version, the model, a sha256 checksum of its canonical JSON). A bad file is
// refused with the field that is wrong; nothing is stored.
import { createHash } from "node:crypto";
import { z } from "zod";
import { validAttributeName } from "../../import/attributes.ts";
import { validationError } from "../../server/errors.ts";
import { isSignal } from "./features.ts";
import { LEARNED_KIND, type LearnedModel } from "./model.ts";

export const EXPORT_FORMAT = "cs-mcp-churn-model";
export const EXPORT_FORMAT_VERSION = 1;

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const scores = z.object({ roc_auc: z.number().nullable(), pr_auc: z.number().nullable(), brier: z.number().nullable() });

const feature = z
  .strictObject({
    name: z.string().min(1).max(300),
    kind: z.enum(["signal", "attribute_numeric", "attribute_level"]),
    attribute: z.string().refine(validAttributeName, "must be letters, digits and underscores, starting with a letter").optional(),
    level: z.string().max(200).optional(),
    impute: finite,
    mean: finite,
    sd: finite.refine((v) => v > 0, "must be > 0"),
  })
  .superRefine((f, ctx) => {
    if (f.kind === "signal" && !isSignal(f.name)) ctx.addIssue({ code: "custom", path: ["name"], message: `unknown signal '${f.name}'` });
    if (f.kind !== "signal" && !f.attribute) ctx.addIssue({ code: "custom", path: ["attribute"], message: "required for attribute features" });
    if (f.kind === "attribute_level" && f.level === undefined) ctx.addIssue({ code: "custom", path: ["level"], message: "required for attribute_level features" });
  });

export const modelSchema = z
  .object({
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, "letters, digits, '.', '_' or '-', at most 80"),
    kind: z.literal(LEARNED_KIND),
    trained_at: z.iso.datetime(),
    features: z.array(feature).min(1).max(500),
    coefficients: z.object({ intercept: finite, weights: z.array(finite) }),
    calibration: z.object({ method: z.literal("platt"), a: finite, b: finite }),
    metrics: z.looseObject({ accounts: z.number().int(), churners: z.number().int(), cv: z.looseObject({ learned: scores, hand_set: scores }) }),
  })
  .superRefine((m, ctx) => {
    if (m.coefficients.weights.length !== m.features.length)
      ctx.addIssue({ code: "custom", path: ["coefficients", "weights"], message: `has ${m.coefficients.weights.length} weights for ${m.features.length} features` });
  });

function describe(err: z.ZodError, prefix: string): string {
  return err.issues.map((i) => `${[prefix, ...i.path].filter((p) => p !== "").join(".")}: ${i.message}`).join("; ");
}

/** The model from stored columns or an import, or a validation error naming the field. */
export function parseModel(value: unknown, prefix = "model"): LearnedModel {
  const r = modelSchema.safeParse(value);
  if (!r.success) throw validationError(`invalid churn model: ${describe(r.error, prefix)}`, "nothing was stored");
  return r.data as unknown as LearnedModel;
}

/** JSON with object keys sorted, so the checksum does not depend on key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export const checksumOf = (m: unknown) => `sha256:${createHash("sha256").update(canonicalJson(m)).digest("hex")}`;

export function exportFile(m: LearnedModel): string {
  return `${JSON.stringify({ format: EXPORT_FORMAT, format_version: EXPORT_FORMAT_VERSION, checksum: checksumOf(m), model: m }, null, 2)}\n`;
}

/** Reads an export file's text: format, version and checksum checked, then the model itself. */
export function importFile(text: string): LearnedModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw validationError(`the file is not JSON: ${(err as Error).message}`, "export a model with cs-mcp model export FILE");
  }
  const d = (doc ?? {}) as Record<string, unknown>;
  if (d.format !== EXPORT_FORMAT) throw validationError(`format: expected '${EXPORT_FORMAT}', got ${JSON.stringify(d.format ?? null)}`, "export a model with cs-mcp model export FILE");
  if (d.format_version !== EXPORT_FORMAT_VERSION) throw validationError(`format_version: expected ${EXPORT_FORMAT_VERSION}, got ${JSON.stringify(d.format_version ?? null)}`, "export the model again with this version of cs-mcp");
  const model = parseModel(d.model);
  const sum = checksumOf(d.model);
  if (d.checksum !== sum) throw validationError(`checksum: the model does not match its checksum (file says ${JSON.stringify(d.checksum ?? null)}, content is ${sum})`, "the file was changed or truncated; export it again");
  return model;
}
