// The expansion services (opportunities, renewals, negotiation briefs, revenue retention, lifetime value),
// built once and handed to the expansion tools as services.expansion.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { OpportunityService } from "./opportunities.ts";
import { RenewalService } from "./renewals.ts";
import { NegotiationService } from "./negotiation.ts";
import { RevenueService } from "./revenue.ts";
import { ClvService } from "./clv.ts";

export class ExpansionService {
  readonly opportunities: OpportunityService;
  readonly renewals: RenewalService;
  readonly negotiation: NegotiationService;
  readonly revenue: RevenueService;
  readonly clv: ClvService;

  constructor(prisma: PrismaClient, config: Config, now: () => Date = () => new Date()) {
    this.opportunities = new OpportunityService(prisma, config, now);
    this.renewals = new RenewalService(prisma, config, now);
    this.negotiation = new NegotiationService(prisma, config, now);
    this.revenue = new RevenueService(prisma, now);
    this.clv = new ClvService(prisma, config, now);
  }
}
