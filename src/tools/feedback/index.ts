import { collectFeedback } from "./collect-feedback.ts";
import { analyzeFeedbackSentiment } from "./analyze-feedback-sentiment.ts";
import { shareProductInsights } from "./share-product-insights.ts";
import { trackCsMetrics } from "./track-cs-metrics.ts";
import { analyzeProductUsage } from "./analyze-product-usage.ts";
import { manageVoiceOfCustomer } from "./manage-voice-of-customer.ts";

export const feedbackTools = [collectFeedback, analyzeFeedbackSentiment, shareProductInsights, trackCsMetrics, analyzeProductUsage, manageVoiceOfCustomer];
