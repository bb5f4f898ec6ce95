// The email half of the communication services: campaigns (send_personalized_email) and SendGrid event
// ingestion (also used by `cs-mcp import email_events`).
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { EmailCampaignService } from "./email-campaigns.ts";
import { EmailEventService } from "./email-events.ts";

export class EmailService {
  readonly campaigns: EmailCampaignService;
  readonly events: EmailEventService;

  constructor(prisma: PrismaClient, config: Config, now?: () => Date) {
    this.campaigns = new EmailCampaignService(prisma, config, now);
    this.events = new EmailEventService(prisma, now);
  }
}
