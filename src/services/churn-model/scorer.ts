// Which churn model scores: the active learned model when one is stored and active, else the hand-set prior
// (retention/churn-model.ts). Everything that reads churn asks here, so forecasts, CLV, renewals, EBR and
// identify_churn_risk name the same model.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { loadFeatureRows } from "../../repositories/churn-features.ts";
import { ChurnModelsRepository, type StoredModel } from "../../repositories/churn-models.ts";
import { MODEL_VERSION } from "../retention/churn-model.ts";
import { parseModel } from "./artifact.ts";
import { HAND_SET_KIND, scoreLearned, type LearnedModel, type ModelFactor } from "./model.ts";

export interface ModelName {
  version: string;
  kind: string;
}

export const HAND_SET_MODEL: ModelName = { version: MODEL_VERSION, kind: HAND_SET_KIND };

/** A stored row as a model (validated: a row edited by hand fails here, naming the field). */
export function fromStored(s: StoredModel): LearnedModel {
  return parseModel({ version: s.version, kind: "logistic_l2", trained_at: s.trained_at.toISOString(), features: s.features, coefficients: s.coefficients, calibration: s.calibration, metrics: s.metrics }, "churn_models");
}

export async function activeLearnedModel(prisma: PrismaClient): Promise<LearnedModel | null> {
  const s = await new ChurnModelsRepository(prisma).active();
  return s ? fromStored(s) : null;
}

export interface LearnedScore {
  probability: number;
  log_odds: number;
  factors: ModelFactor[];
}

/** The learned model's scores of the given accounts (null = every active account), features as of now. */
export async function learnedScores(prisma: PrismaClient, model: LearnedModel, accountIds: string[] | null, now: Date): Promise<Map<string, LearnedScore>> {
  const rows = await loadFeatureRows(prisma, { kind: "scoring", accountIds }, now);
  return new Map(rows.map((r) => [r.account_id, scoreLearned(model, r)]));
}
