// The trained churn models of a data directory: train, list, activate (or fall back to the hand-set prior),
// export to a file and import from one. Used by `cs-mcp model` and the train_churn_model admin tool.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import { ChurnModelsRepository } from "../../repositories/churn-models.ts";
import { conflict, notFound } from "../../server/errors.ts";
import { exportFile, importFile } from "./artifact.ts";
import type { LearnedModel } from "./model.ts";
import { HAND_SET_MODEL, fromStored } from "./scorer.ts";
import { trainChurnModel, type TrainOptions } from "./train.ts";

/** `activate hand-set`: no learned model scores; the hand-set prior does. */
export const HAND_SET_NAME = "hand-set";

export interface ModelListing {
  version: string;
  kind: string;
  trained_at: string;
  active: boolean;
  accounts: number;
  churners: number;
  cv_roc_auc: number | null;
  hand_set_roc_auc: number | null;
}

const listing = (m: LearnedModel, active: boolean): ModelListing => ({
  version: m.version,
  kind: m.kind,
  trained_at: m.trained_at,
  active,
  accounts: m.metrics.accounts,
  churners: m.metrics.churners,
  cv_roc_auc: m.metrics.cv.learned.roc_auc,
  hand_set_roc_auc: m.metrics.cv.hand_set.roc_auc,
});

export class ChurnModelService {
  private readonly repo: ChurnModelsRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new ChurnModelsRepository(prisma);
  }

  train(opts: TrainOptions = {}) {
    return trainChurnModel(this.prisma, this.now(), opts);
  }

  async list(): Promise<{ models: ModelListing[]; scoring: { version: string; kind: string } }> {
    const rows = await this.repo.list();
    const models = rows.map((r) => listing(fromStored(r), r.active));
    const active = models.find((m) => m.active);
    return { models, scoring: active ? { version: active.version, kind: active.kind } : HAND_SET_MODEL };
  }

  async activate(version: string): Promise<{ version: string; kind: string }> {
    if (version === HAND_SET_NAME) {
      await this.repo.activate(null);
      return HAND_SET_MODEL;
    }
    const row = await this.repo.get(version);
    if (!row) throw notFound("churn model", version, `cs-mcp model list shows the stored versions; '${HAND_SET_NAME}' scores with the hand-set prior`);
    const m = fromStored(row);
    await this.repo.activate(version);
    return { version: m.version, kind: m.kind };
  }

  /** The export file's text of a stored model (default: the active one). */
  async export(version?: string): Promise<{ version: string; text: string }> {
    const row = version ? await this.repo.get(version) : await this.repo.active();
    if (!row) throw version ? notFound("churn model", version, "cs-mcp model list shows the stored versions") : conflict("no learned model is active, so there is nothing to export", "name a version: cs-mcp model export FILE --version VERSION");
    const m = fromStored(row);
    return { version: m.version, text: exportFile(m) };
  }

  /** Validates an export file and stores its model (inactive unless `activate`); an existing version is refused. */
  async import(text: string, activate: boolean): Promise<ModelListing> {
    const m = importFile(text);
    if (await this.repo.get(m.version)) throw conflict(`churn model ${m.version} is already stored here`, "activate it with cs-mcp model activate VERSION; nothing was changed");
    await this.repo.insert({ version: m.version, trained_at: new Date(m.trained_at), metrics: m.metrics, features: m.features, coefficients: m.coefficients, calibration: m.calibration }, activate);
    return listing(m, activate);
  }
}
