import { healthCheckLiveness } from "./health-check-liveness.ts";
import { healthCheckReadiness } from "./health-check-readiness.ts";
import { healthCheckDeep } from "./health-check-deep.ts";
import { listOutboxDeliveries, retryOutboxDelivery } from "./manage-outbox.ts";
import { erasePersonalData, exportPersonalData } from "./gdpr.ts";

export const systemTools = [healthCheckLiveness, healthCheckReadiness, healthCheckDeep, listOutboxDeliveries, retryOutboxDelivery, exportPersonalData, erasePersonalData];
