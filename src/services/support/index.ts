// The support services (tickets, routing, knowledge base, customer portal, performance), built once and
// handed to the support tools as services.support.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { TicketService } from "./tickets.ts";
import { RoutingService } from "./routing.ts";
import { KnowledgeBaseService } from "./knowledge-base.ts";
import { PortalService } from "./portal.ts";
import { SupportPerformanceService } from "./performance.ts";

export class SupportService {
  readonly tickets: TicketService;
  readonly routing: RoutingService;
  readonly knowledgeBase: KnowledgeBaseService;
  readonly portal: PortalService;
  readonly performance: SupportPerformanceService;

  constructor(prisma: PrismaClient, config: Config, now: () => Date = () => new Date()) {
    this.tickets = new TicketService(prisma, config, now);
    this.routing = new RoutingService(prisma, now);
    this.knowledgeBase = new KnowledgeBaseService(prisma, now);
    this.portal = new PortalService(prisma, now);
    this.performance = new SupportPerformanceService(prisma, config, now);
  }
}
