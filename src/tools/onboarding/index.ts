import { createOnboardingPlan } from "./create-onboarding-plan.ts";
import { activateOnboardingAutomation } from "./activate-onboarding-automation.ts";
import { deliverTrainingSession } from "./deliver-training-session.ts";
import { manageCertificationProgram } from "./manage-certification-program.ts";
import { optimizeOnboardingProcess } from "./optimize-onboarding-process.ts";
import { mapCustomerJourney } from "./map-customer-journey.ts";
import { optimizeTimeToValue } from "./optimize-time-to-value.ts";
import { trackOnboardingProgress } from "./track-onboarding-progress.ts";

export const onboardingTools = [
  createOnboardingPlan,
  activateOnboardingAutomation,
  deliverTrainingSession,
  manageCertificationProgram,
  optimizeOnboardingProcess,
  mapCustomerJourney,
  optimizeTimeToValue,
  trackOnboardingProgress,
];
