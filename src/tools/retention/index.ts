import { executeRetentionCampaign } from "./execute-retention-campaign.ts";
import { monitorSatisfaction } from "./monitor-satisfaction.ts";
import { manageEscalations } from "./manage-escalations.ts";
import { analyzeChurnPostmortem } from "./analyze-churn-postmortem.ts";
import { scoreRiskFactors } from "./score-risk-factors.ts";
import { automateRetentionCampaigns } from "./automate-retention-campaigns.ts";
import { identifyChurnRisk } from "./identify-churn-risk.ts";
import { trainChurnModel } from "./train-churn-model.ts";

export const retentionTools = [executeRetentionCampaign, monitorSatisfaction, manageEscalations, analyzeChurnPostmortem, scoreRiskFactors, automateRetentionCampaigns, identifyChurnRisk, trainChurnModel];
