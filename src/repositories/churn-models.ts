// Stored churn models (churn_models): at most one is active; none active = the hand-set prior.
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface StoredModel {
  version: string;
  trained_at: Date;
  metrics: unknown;
  features: unknown;
  coefficients: unknown;
  calibration: unknown;
  active: boolean;
}

export class ChurnModelsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  list(): Promise<StoredModel[]> {
    return this.prisma.churnModel.findMany({ orderBy: [{ trained_at: "desc" }, { version: "desc" }] });
  }

  get(version: string): Promise<StoredModel | null> {
    return this.prisma.churnModel.findUnique({ where: { version } });
  }

  active(): Promise<StoredModel | null> {
    return this.prisma.churnModel.findFirst({ where: { active: true } });
  }

  /** Stores a model; `activate` makes it the only active one in the same transaction. */
  async insert(m: Omit<StoredModel, "active">, activate: boolean): Promise<void> {
    const data = { ...m, metrics: m.metrics as object, features: m.features as object, coefficients: m.coefficients as object, calibration: m.calibration as object, active: activate };
    await this.prisma.$transaction(async (tx) => {
      if (activate) await tx.churnModel.updateMany({ where: { active: true }, data: { active: false } });
      await tx.churnModel.create({ data });
    });
  }

  /** Makes `version` the only active model; null deactivates all (the hand-set prior scores again). */
  async activate(version: string | null): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.churnModel.updateMany({ where: { active: true }, data: { active: false } });
      if (version !== null) await tx.churnModel.update({ where: { version }, data: { active: true } });
    });
  }
}
