// The retention services (campaigns, satisfaction, escalations, post-mortems, risk factors), built once
// and handed to the retention tools as services.retention. The churn model lives in churn-*.ts.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { CampaignService } from "./campaigns.ts";
import { SatisfactionService } from "./satisfaction.ts";
import { EscalationService } from "./escalations.ts";
import { PostmortemService } from "./postmortem.ts";
import { RiskFactorService } from "./risk-factors.ts";

export class RetentionService {
  readonly campaigns: CampaignService;
  readonly satisfaction: SatisfactionService;
  readonly escalations: EscalationService;
  readonly postmortem: PostmortemService;
  readonly risk: RiskFactorService;

  constructor(prisma: PrismaClient, config: Config, now: () => Date = () => new Date()) {
    this.campaigns = new CampaignService(prisma, config, now);
    this.satisfaction = new SatisfactionService(prisma, now);
    this.escalations = new EscalationService(prisma, now);
    this.postmortem = new PostmortemService(prisma, config, now);
    this.risk = new RiskFactorService(prisma, config, now);
  }
}
