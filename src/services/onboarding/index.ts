// The onboarding services (plans, automation, training, certification, progress, process analysis, journey,
// time to value), built once and handed to the onboarding tools as services.onboarding.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { OnboardingPlanService } from "./plans.ts";
import { OnboardingAutomationService } from "./automation.ts";
import { TrainingService } from "./training.ts";
import { CertificationService } from "./certification.ts";
import { OnboardingProgressService } from "./progress.ts";
import { OnboardingProcessService } from "./process.ts";
import { JourneyService } from "./journey.ts";
import { TimeToValueService } from "./time-to-value.ts";

export class OnboardingService {
  readonly plans: OnboardingPlanService;
  readonly automation: OnboardingAutomationService;
  readonly training: TrainingService;
  readonly certification: CertificationService;
  readonly progress: OnboardingProgressService;
  readonly process: OnboardingProcessService;
  readonly journey: JourneyService;
  readonly timeToValue: TimeToValueService;

  constructor(prisma: PrismaClient, config: Config, now: () => Date = () => new Date()) {
    this.plans = new OnboardingPlanService(prisma, now);
    this.automation = new OnboardingAutomationService(prisma, config, now);
    this.training = new TrainingService(prisma, config, now);
    this.certification = new CertificationService(prisma, config, now);
    this.progress = new OnboardingProgressService(prisma, config, now);
    this.process = new OnboardingProcessService(prisma, config, now);
    this.journey = new JourneyService(prisma, config, now);
    this.timeToValue = new TimeToValueService(prisma, config, now);
  }
}
