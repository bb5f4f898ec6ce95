import { trackUsageEngagement } from "./track-usage-engagement.ts";
import { segmentCustomers } from "./segment-customers.ts";
import { trackFeatureAdoption } from "./track-feature-adoption.ts";
import { manageLifecycleStages } from "./manage-lifecycle-stages.ts";
import { segmentByValueTier } from "./segment-by-value-tier.ts";
import { analyzeEngagementPatterns } from "./analyze-engagement-patterns.ts";
import { calculateHealthScore } from "./calculate-health-score.ts";
import { trackAdoptionMilestones } from "./track-adoption-milestones.ts";

export const healthTools = [trackUsageEngagement, segmentCustomers, trackFeatureAdoption, manageLifecycleStages, segmentByValueTier, analyzeEngagementPatterns, calculateHealthScore, trackAdoptionMilestones];
