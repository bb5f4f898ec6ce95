// The services container: built once per process from its dependencies, handed to every tool handler.
import type { Redis } from "ioredis";
import type { Config } from "../config/load.ts";
import type { Database } from "../db/database.ts";
import type { Metrics } from "../observability/metrics.ts";
import { ClientService } from "./clients.ts";
import { SystemHealthService } from "./system-health.ts";
import { OutboxAdminService } from "./outbox-admin.ts";
import { GdprService } from "./gdpr.ts";
import { createResilience, type Resilience } from "../integrations/resilience/index.ts";
import { createLogger } from "../observability/logger.ts";
import { UsageService } from "./health/usage.ts";
import { MilestoneService } from "./health/milestones.ts";
import { EngagementService } from "./health/engagement.ts";
import { LifecycleService } from "./health/lifecycle.ts";
import { SegmentService } from "./health/segments.ts";
import { HealthScoreService } from "./health/health-score-service.ts";
import { ChurnService } from "./retention/churn-service.ts";
import { ChurnModelService } from "./churn-model/service.ts";
import { RetentionService } from "./retention/index.ts";
import { EmailService } from "./communication/email-service.ts";
import { WorkflowService } from "./communication/workflows.ts";
import { NewsletterService } from "./communication/newsletters.ts";
import { FeedbackService } from "./feedback/index.ts";
import { CommunityService } from "./programs/community.ts";
import { AdvocacyService } from "./programs/advocacy.ts";
import { ExecutiveReviewService } from "./programs/executive-reviews.ts";
import { OnboardingService } from "./onboarding/index.ts";
import { ExpansionService } from "./expansion/index.ts";
import { SupportService } from "./support/index.ts";
import { PortfolioSummaryService } from "./portfolio-summary.ts";
import { ClientDirectoryService } from "./client-directory.ts";

export interface ServiceDeps {
  db: Database;
  redis: Redis | null;
  config: Config;
  metrics: Metrics;
  now?: () => Date;
  /** The process's resilience wrapper (breaker states in readiness); a private one when not given. */
  resilience?: Resilience;
}

export interface Services {
  config: Config;
  clients: ClientService;
  health: SystemHealthService;
  outbox: OutboxAdminService;
  gdpr: GdprService;
  usage: UsageService;
  milestones: MilestoneService;
  engagement: EngagementService;
  lifecycle: LifecycleService;
  segments: SegmentService;
  healthScores: HealthScoreService;
  churn: ChurnService;
  churnModels: ChurnModelService;
  retention: RetentionService;
  email: EmailService;
  workflows: WorkflowService;
  newsletters: NewsletterService;
  feedback: FeedbackService;
  communities: CommunityService;
  advocacy: AdvocacyService;
  executiveReviews: ExecutiveReviewService;
  onboarding: OnboardingService;
  expansion: ExpansionService;
  support: SupportService;
  portfolioSummary: PortfolioSummaryService;
  clientDirectory: ClientDirectoryService;
}

export function createServices(deps: ServiceDeps): Services {
  const bands = {
    atRiskBelow: deps.config.HEALTH_AT_RISK_BELOW,
    healthyFrom: deps.config.HEALTH_HEALTHY_FROM,
    championFrom: deps.config.HEALTH_CHAMPION_FROM,
  };
  const resilience = deps.resilience ?? createResilience(deps.config, createLogger("silent"));
  return {
    config: deps.config,
    clients: new ClientService(deps.db, bands, deps.now),
    health: new SystemHealthService(deps.db, deps.redis, deps.config, deps.metrics, resilience),
    outbox: new OutboxAdminService(deps.db.prisma, resilience),
    gdpr: new GdprService(deps.db.prisma),
    usage: new UsageService(deps.db.prisma, deps.now),
    milestones: new MilestoneService(deps.db.prisma, deps.config, deps.now),
    engagement: new EngagementService(deps.db.prisma, deps.now),
    lifecycle: new LifecycleService(
      deps.db.prisma,
      { onboardingDays: deps.config.TTV_FULL_VALUE_DAYS, atRiskBelow: deps.config.HEALTH_AT_RISK_BELOW, healthyFrom: deps.config.HEALTH_HEALTHY_FROM },
      deps.now,
    ),
    segments: new SegmentService(deps.db.prisma, bands, deps.now),
    healthScores: new HealthScoreService(deps.db.prisma, deps.config, deps.now, deps.db.kind),
    churn: new ChurnService(deps.db.prisma, deps.config, deps.now, deps.db.kind),
    churnModels: new ChurnModelService(deps.db.prisma, deps.now),
    retention: new RetentionService(deps.db.prisma, deps.config, deps.now),
    email: new EmailService(deps.db.prisma, deps.config, deps.now),
    workflows: new WorkflowService(deps.db.prisma, deps.now),
    newsletters: new NewsletterService(deps.db.prisma, deps.config, deps.now),
    feedback: new FeedbackService(deps.db.prisma, deps.config, deps.now),
    communities: new CommunityService(deps.db.prisma, deps.now),
    advocacy: new AdvocacyService(deps.db.prisma, deps.config, deps.now),
    executiveReviews: new ExecutiveReviewService(deps.db.prisma, deps.config, deps.now),
    onboarding: new OnboardingService(deps.db.prisma, deps.config, deps.now),
    expansion: new ExpansionService(deps.db.prisma, deps.config, deps.now),
    support: new SupportService(deps.db.prisma, deps.config, deps.now),
    portfolioSummary: new PortfolioSummaryService(deps.db, deps.config, deps.now),
    clientDirectory: new ClientDirectoryService(deps.db),
  };
}
