// The services container, built on first use. Each service is named here with how its module is imported
// and how it is constructed; nothing is imported until loadServices asks for it (a tool's catalog entry
// asks for the services its module reads, resources and completions for theirs), and a service is
// constructed the first time the container's property is read. A server that answers one list_clients
// call has loaded and built one service, not twenty-five.
import type { Redis } from "ioredis";
import type { Config } from "../config/load.ts";
import type { Database } from "../db/database.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { Resilience } from "../integrations/resilience/index.ts";

export interface ContainerDeps {
  db: Database;
  redis: Redis | null;
  config: Config;
  metrics: Metrics;
  now?: () => Date;
  /** Timeouts, retries and a breaker per vendor (the system-health and outbox services read it). */
  resilience: Resilience;
}

interface ServiceSpec<M, S> {
  load(): Promise<M>;
  make(module: M, deps: ContainerDeps): S;
}

const spec = <M, S>(load: () => Promise<M>, make: (module: M, deps: ContainerDeps) => S): ServiceSpec<M, S> => ({ load, make });

const bands = (c: Config) => ({ atRiskBelow: c.HEALTH_AT_RISK_BELOW, healthyFrom: c.HEALTH_HEALTHY_FROM, championFrom: c.HEALTH_CHAMPION_FROM });

const SERVICES = {
  clients: spec(() => import("./clients.ts"), (m, d) => new m.ClientService(d.db, bands(d.config), d.now)),
  health: spec(() => import("./system-health.ts"), (m, d) => new m.SystemHealthService(d.db, d.redis, d.config, d.metrics, d.resilience)),
  outbox: spec(() => import("./outbox-admin.ts"), (m, d) => new m.OutboxAdminService(d.db.prisma, d.resilience)),
  gdpr: spec(() => import("./gdpr.ts"), (m, d) => new m.GdprService(d.db.prisma)),
  usage: spec(() => import("./health/usage.ts"), (m, d) => new m.UsageService(d.db.prisma, d.now)),
  milestones: spec(() => import("./health/milestones.ts"), (m, d) => new m.MilestoneService(d.db.prisma, d.config, d.now)),
  engagement: spec(() => import("./health/engagement.ts"), (m, d) => new m.EngagementService(d.db.prisma, d.now)),
  lifecycle: spec(
    () => import("./health/lifecycle.ts"),
    (m, d) =>
      new m.LifecycleService(
        d.db.prisma,
        { onboardingDays: d.config.TTV_FULL_VALUE_DAYS, atRiskBelow: d.config.HEALTH_AT_RISK_BELOW, healthyFrom: d.config.HEALTH_HEALTHY_FROM },
        d.now,
      ),
  ),
  segments: spec(() => import("./health/segments.ts"), (m, d) => new m.SegmentService(d.db.prisma, bands(d.config), d.now)),
  healthScores: spec(() => import("./health/health-score-service.ts"), (m, d) => new m.HealthScoreService(d.db.prisma, d.config, d.now, d.db.kind)),
  churn: spec(() => import("./retention/churn-service.ts"), (m, d) => new m.ChurnService(d.db.prisma, d.config, d.now, d.db.kind)),
  churnModels: spec(() => import("./churn-model/service.ts"), (m, d) => new m.ChurnModelService(d.db.prisma, d.now)),
  retention: spec(() => import("./retention/index.ts"), (m, d) => new m.RetentionService(d.db.prisma, d.config, d.now)),
  email: spec(() => import("./communication/email-service.ts"), (m, d) => new m.EmailService(d.db.prisma, d.config, d.now)),
  workflows: spec(() => import("./communication/workflows.ts"), (m, d) => new m.WorkflowService(d.db.prisma, d.now)),
  newsletters: spec(() => import("./communication/newsletters.ts"), (m, d) => new m.NewsletterService(d.db.prisma, d.config, d.now)),
  feedback: spec(() => import("./feedback/index.ts"), (m, d) => new m.FeedbackService(d.db.prisma, d.config, d.now)),
  communities: spec(() => import("./programs/community.ts"), (m, d) => new m.CommunityService(d.db.prisma, d.now)),
  advocacy: spec(() => import("./programs/advocacy.ts"), (m, d) => new m.AdvocacyService(d.db.prisma, d.config, d.now)),
  executiveReviews: spec(() => import("./programs/executive-reviews.ts"), (m, d) => new m.ExecutiveReviewService(d.db.prisma, d.config, d.now)),
  onboarding: spec(() => import("./onboarding/index.ts"), (m, d) => new m.OnboardingService(d.db.prisma, d.config, d.now)),
  expansion: spec(() => import("./expansion/index.ts"), (m, d) => new m.ExpansionService(d.db.prisma, d.config, d.now)),
  support: spec(() => import("./support/index.ts"), (m, d) => new m.SupportService(d.db.prisma, d.config, d.now)),
  portfolioSummary: spec(() => import("./portfolio-summary.ts"), (m, d) => new m.PortfolioSummaryService(d.db, d.config, d.now)),
  clientDirectory: spec(() => import("./client-directory.ts"), (m, d) => new m.ClientDirectoryService(d.db)),
};

export type ServiceKey = keyof typeof SERVICES;
type ServiceOf<K extends ServiceKey> = (typeof SERVICES)[K] extends ServiceSpec<infer _M, infer S> ? S : never;

/** What a tool handler, a resource or a completion reads: the configuration and every service, by name. */
export type Services = { readonly config: Config } & { readonly [K in ServiceKey]: ServiceOf<K> };

export const SERVICE_KEYS = Object.keys(SERVICES) as ServiceKey[];

/** The imported module of each service loaded so far (one per process: modules are shared by every container). */
const modules = new Map<ServiceKey, unknown>();
const pending = new Map<ServiceKey, Promise<void>>();

/** Imports the modules of these services (all of them without an argument); a failed import is retried on the next call. */
export async function loadServices(keys: readonly ServiceKey[] = SERVICE_KEYS): Promise<void> {
  await Promise.all(
    keys.map((key) => {
      if (modules.has(key)) return undefined;
      let p = pending.get(key);
      if (!p) {
        p = SERVICES[key].load().then(
          (m) => void modules.set(key, m),
          (err: unknown) => {
            pending.delete(key);
            throw err;
          },
        );
        pending.set(key, p);
      }
      return p;
    }),
  );
}

/** Whether the service's module is loaded (tests of laziness read it). */
export const serviceLoaded = (key: ServiceKey): boolean => modules.has(key);

/**
 * A container whose services are constructed when first read. Reading a service whose module was not
 * loaded is a wiring fault (the caller did not name it to loadServices) and says so.
 */
export function createServiceContainer(deps: ContainerDeps): Services {
  const built = new Map<ServiceKey, unknown>();
  const container: Record<string, unknown> = { config: deps.config };
  for (const key of SERVICE_KEYS) {
    Object.defineProperty(container, key, {
      enumerable: true,
      get() {
        if (built.has(key)) return built.get(key);
        if (!modules.has(key)) throw new Error(`service '${key}' was read before its module was loaded: name it to loadServices`);
        const service = (SERVICES[key] as ServiceSpec<unknown, unknown>).make(modules.get(key), deps);
        built.set(key, service);
        return service;
      },
    });
  }
  return container as Services;
}
