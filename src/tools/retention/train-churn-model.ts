import { z } from "zod";
import { defineTool } from "../../server/define-tool.ts";

const s3 = z.object({ roc_auc: z.number(), pr_auc: z.number(), brier: z.number() });

export const trainChurnModel = defineTool({
  name: "train_churn_model",
  toolset: "retention",
  title: "Train churn model",
  description:
    "Admin: fits a churn model on accounts with known outcomes (features as before churn), reports 5-fold " +
    "CV vs the hand-set model, activates it for identify_churn_risk. Refuses under 30 churners.",
  input: z.strictObject({ activate: z.boolean().default(true).describe("Score with it now") }),
  output: z.object({
    version: z.string(),
    active: z.boolean(),
    metrics: z.looseObject({ accounts: z.number(), churners: z.number(), cv: z.object({ learned: s3, learned_calibrated: s3, hand_set: s3 }) }),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false, idempotentHint: false },
  async handler(args, { services }) {
    const m = await services.churnModels.train({ activate: args.activate });
    const cv = m.metrics.cv;
    const top = m.metrics.top_features.slice(0, 5).map((f) => `${f.feature} ${f.effect}`).join(", ");
    return {
      data: { version: m.version, active: m.active, metrics: { ...m.metrics } },
      text: `Model ${m.version}${m.active ? " (active)" : ""} on ${m.metrics.accounts} accounts, ${m.metrics.churners} churned. CV ROC AUC ${cv.learned.roc_auc} vs hand-set ${cv.hand_set.roc_auc}; PR AUC ${cv.learned.pr_auc} vs ${cv.hand_set.pr_auc}; Brier (calibrated) ${cv.learned_calibrated.brier} vs ${cv.hand_set.brier}. Top: ${top}.`,
    };
  },
});
