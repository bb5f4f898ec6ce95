// The feedback services (collection, sentiment, insights, metrics, product usage, voice of the customer),
// built once and handed to the feedback tools as services.feedback.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { FeedbackCollectService } from "./collect.ts";
import { SentimentAnalysisService } from "./sentiment-analysis.ts";
import { InsightService } from "./insights.ts";
import { MetricsService } from "./metrics.ts";
import { ProductUsageService } from "./product-usage.ts";
import { VocService } from "./voc.ts";

export class FeedbackService {
  readonly collect: FeedbackCollectService;
  readonly sentiment: SentimentAnalysisService;
  readonly insights: InsightService;
  readonly metrics: MetricsService;
  readonly usage: ProductUsageService;
  readonly voc: VocService;

  constructor(prisma: PrismaClient, config: Config, now: () => Date = () => new Date()) {
    this.collect = new FeedbackCollectService(prisma, now);
    this.sentiment = new SentimentAnalysisService(prisma, now);
    this.insights = new InsightService(prisma, now);
    this.metrics = new MetricsService(prisma, config, now);
    this.usage = new ProductUsageService(prisma, now);
    this.voc = new VocService(prisma, config, this.sentiment, now);
  }
}
