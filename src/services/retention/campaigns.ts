// Retention campaigns: one campaign per call (execute_retention_campaign) or one per matching account
// (automate_retention_campaigns), both through startCampaign. The campaign, its dated steps, the timeline
// entry, the audit record and the outreach email's outbox row commit together or not at all.
// One frequency rule for both tools (RETENTION_FREQUENCY_DAYS, as documented): at most one campaign per account
// in the window, whatever its type or status — a cancelled campaign has still contacted the customer.
import type { PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { RetentionRepository, type TriggerType } from "../../repositories/retention.ts";
import { writeAudit } from "../../repositories/audit.ts";
import type { SendMailPayload } from "../../integrations/payloads.ts";
import { enqueue, type DeliveryReport } from "../../integrations/outbox.ts";
import { conflict, notFound, ToolError, validationError } from "../../server/errors.ts";
import { toIsoDate } from "../../security/validation.ts";

export const CAMPAIGN_TYPES = ["re_engagement", "executive_outreach", "value_review", "training_offer", "discount_offer", "success_plan"] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];
export const INTERVENTION_LEVELS = ["low", "medium", "high", "critical"] as const;
export type InterventionLevel = (typeof INTERVENTION_LEVELS)[number];

interface StepTemplate {
  action: string;
  channel: "email" | "call" | "meeting" | "internal" | "in_app";
  owner: "csm" | "cs_manager" | "executive_sponsor" | "account_executive" | "support" | "customer";
  day: number; // offset at medium intensity
  description: string;
}

const OUTREACH: StepTemplate = { action: "outreach_email", channel: "email", owner: "csm", day: 0, description: "Personal outreach email to the primary contact" };

const PLANS: Record<CampaignType, StepTemplate[]> = {
  re_engagement: [
    OUTREACH,
    { action: "check_in_call", channel: "call", owner: "csm", day: 3, description: "Call the primary contact: what changed, what blocks use" },
    { action: "usage_review", channel: "meeting", owner: "csm", day: 7, description: "Walk through current usage and agree on two adoption goals" },
    { action: "follow_up", channel: "email", owner: "csm", day: 14, description: "Check progress on the agreed goals" },
  ],
  executive_outreach: [
    OUTREACH,
    { action: "executive_sponsor_call", channel: "call", owner: "executive_sponsor", day: 2, description: "Executive-to-executive call on goals and concerns" },
    { action: "joint_action_plan", channel: "meeting", owner: "csm", day: 7, description: "Agree a written action plan with owners and dates" },
    { action: "executive_follow_up", channel: "email", owner: "executive_sponsor", day: 21, description: "Executive follow-up on the action plan" },
  ],
  value_review: [
    OUTREACH,
    { action: "roi_report", channel: "internal", owner: "csm", day: 5, description: "Prepare the value delivered: usage, outcomes, support record" },
    { action: "value_review_meeting", channel: "meeting", owner: "csm", day: 10, description: "Review value delivered against the customer's goals" },
    { action: "follow_up", channel: "email", owner: "csm", day: 20, description: "Send the review summary and next steps" },
  ],
  training_offer: [
    OUTREACH,
    { action: "training_session", channel: "meeting", owner: "csm", day: 7, description: "Live training on the features the account under-uses" },
    { action: "adoption_check", channel: "internal", owner: "csm", day: 21, description: "Check usage of the trained features" },
  ],
  discount_offer: [
    OUTREACH,
    { action: "offer_approval", channel: "internal", owner: "account_executive", day: 2, description: "Get the commercial offer approved" },
    { action: "offer_presented", channel: "meeting", owner: "account_executive", day: 5, description: "Present the offer with the renewal terms" },
    { action: "decision_follow_up", channel: "call", owner: "account_executive", day: 14, description: "Follow up on the decision" },
  ],
  success_plan: [
    OUTREACH,
    { action: "success_plan_workshop", channel: "meeting", owner: "csm", day: 7, description: "Workshop: goals, success criteria, milestones" },
    { action: "milestone_review", channel: "meeting", owner: "csm", day: 30, description: "Review the first milestones of the plan" },
    { action: "plan_review", channel: "meeting", owner: "csm", day: 60, description: "Review the plan's outcomes and reset goals" },
  ],
};

/** Low spreads the sequence out, high and critical compress it and add management attention. */
const PACE: Record<InterventionLevel, number> = { low: 1.5, medium: 1, high: 0.5, critical: 0.25 };
const EXTRA: Record<InterventionLevel, StepTemplate[]> = {
  low: [],
  medium: [],
  high: [{ action: "manager_review", channel: "internal", owner: "cs_manager", day: 1, description: "CS manager reviews the account and the plan" }],
  critical: [
    { action: "executive_escalation", channel: "internal", owner: "cs_manager", day: 0, description: "Escalate to CS leadership; name an executive sponsor" },
    { action: "daily_check_in", channel: "internal", owner: "csm", day: 1, description: "Daily internal check-in until the account stabilises" },
  ],
};

export interface CampaignStep {
  step: number;
  action: string;
  channel: string;
  owner: string;
  due_date: string;
  status: "pending" | "queued" | "not_sent";
  description: string;
}

export function planSteps(type: CampaignType, level: InterventionLevel, start: Date): CampaignStep[] {
  const templates = [...PLANS[type], ...EXTRA[level]];
  const scheduled = templates.map((t, i) => ({ t, i, day: t.day === 0 ? 0 : Math.max(1, Math.round(t.day * PACE[level])) }));
  scheduled.sort((a, b) => a.day - b.day || a.i - b.i);
  return scheduled.map(({ t, day }, n) => ({
    step: n + 1,
    action: t.action,
    channel: t.channel,
    owner: t.owner,
    due_date: toIsoDate(new Date(start.getTime() + day * 86_400_000))!,
    status: "pending",
    description: t.description,
  }));
}

export type OutreachReport = DeliveryReport | { integration: "sendgrid"; status: "skipped"; reason: string };

export interface CampaignView {
  campaign_id: string;
  client_id: string;
  company_name: string;
  campaign_type: string;
  intervention_level: string;
  trigger_type: string | null;
  trigger_value: number | null;
  status: string;
  started_at: string;
  steps: CampaignStep[];
  outreach: OutreachReport;
}

const SUBJECTS: Record<CampaignType, string> = {
  re_engagement: "Checking in on how {company} uses the product",
  executive_outreach: "A conversation about {company}'s goals",
  value_review: "Reviewing the value {company} gets from us",
  training_offer: "Free training for the {company} team",
  discount_offer: "An offer for {company}",
  success_plan: "A success plan for {company}",
};

/** Covered accounts listed in an automation result; the count covers all. */
const COVERED_LISTED = 50;

export class CampaignService {
  private readonly repo: RetentionRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.repo = new RetentionRepository(prisma);
  }

  /** The shared path of both tools, with the one frequency rule. */
  private async startCampaign(input: {
    client_id: string;
    campaign_type: CampaignType;
    intervention_level: InterventionLevel;
    trigger_type?: string | null;
    trigger_value?: number | null;
  }): Promise<CampaignView> {
    const now = this.now();
    const days = this.config.RETENTION_FREQUENCY_DAYS;
    return this.prisma.$transaction(async (tx) => {
      const account = await this.repo.lockAccount(tx, input.client_id);
      if (!account) throw notFound("client", input.client_id, "use list_clients to find the client_id");
      if (account.status === "churned") throw validationError(`client_id: ${input.client_id} is churned; retention campaigns run on active accounts`, "use analyze_churn_postmortem for churned accounts");
      // "Within N days" is a window open at its start: a campaign started exactly N days ago no longer blocks.
      const since = new Date(now.getTime() - days * 86_400_000);
      const existing = await this.repo.recentCampaign(tx, input.client_id, since);
      if (existing) {
        throw conflict(
          `${input.client_id} already has a ${existing.campaign_type} campaign (${existing.id}, ${existing.status}) started ${existing.started_at.toISOString()}: at most one campaign of any type per account within RETENTION_FREQUENCY_DAYS (${days} days)`,
          `a new one is allowed from ${new Date(existing.started_at.getTime() + days * 86_400_000).toISOString()}; work the existing campaign's steps meanwhile`,
          { campaign_id: existing.id, started_at: existing.started_at.toISOString() },
        );
      }
      const steps = planSteps(input.campaign_type, input.intervention_level, now);
      const campaign = await this.repo.createCampaign(tx, {
        account_id: input.client_id,
        campaign_type: input.campaign_type,
        intervention_level: input.intervention_level,
        trigger_type: input.trigger_type ?? null,
        trigger_value: input.trigger_value ?? null,
        status: "active",
        steps: steps as unknown as object[],
        started_at: now,
      });

      let outreach: OutreachReport;
      const emailStep = steps.find((s) => s.channel === "email" && s.action === "outreach_email")!;
      if (!account.primary_contact_email) {
        outreach = { integration: "sendgrid", status: "skipped", reason: "the account has no primary contact email; set one with update_client_info" };
      } else {
        const subject = SUBJECTS[input.campaign_type].replace("{company}", account.company_name);
        outreach = await enqueue(tx, this.config, {
          integration: "sendgrid",
          operation: "sendgrid.send",
          idempotency_key: `retention_campaign:${campaign.id}:step:${emailStep.step}`,
          account_id: input.client_id,
          payload: {
            to: [{ email: account.primary_contact_email, ...(account.primary_contact_name ? { name: account.primary_contact_name } : {}) }],
            ...(this.config.SENDGRID_FROM_EMAIL ? { from: { email: this.config.SENDGRID_FROM_EMAIL, ...(this.config.SENDGRID_FROM_NAME ? { name: this.config.SENDGRID_FROM_NAME } : {}) } } : {}),
            ...(account.csm_email ? { reply_to: { email: account.csm_email, ...(account.csm_name ? { name: account.csm_name } : {}) } } : {}),
            subject,
            text: outreachBody(input.campaign_type, account.primary_contact_name, account.csm_name),
            categories: ["retention_campaign", input.campaign_type],
            custom_args: { campaign_id: campaign.id, client_id: input.client_id, step: String(emailStep.step) },
          } satisfies SendMailPayload as unknown as Record<string, unknown>,
        });
      }
      emailStep.status = outreach.status === "queued" ? "queued" : "not_sent";
      await this.repo.updateSteps(tx, campaign.id, steps);

      // The timeline shows the campaign from retention_campaigns itself (repositories/timeline.ts).
      await writeAudit(tx, {
        action: "start_retention_campaign",
        entity_type: "retention_campaign",
        entity_id: campaign.id,
        changes: { client_id: input.client_id, campaign_type: input.campaign_type, intervention_level: input.intervention_level, trigger_type: input.trigger_type ?? null, outreach: outreach.status },
      });
      return {
        campaign_id: campaign.id,
        client_id: input.client_id,
        company_name: account.company_name,
        campaign_type: input.campaign_type,
        intervention_level: input.intervention_level,
        trigger_type: input.trigger_type ?? null,
        trigger_value: input.trigger_value ?? null,
        status: campaign.status,
        started_at: now.toISOString(),
        steps,
        outreach,
      };
    });
  }

  execute(input: { client_id: string; campaign_type: CampaignType; intervention_level: InterventionLevel }) {
    return this.startCampaign(input);
  }

  defaultThreshold(trigger: TriggerType): number {
    switch (trigger) {
      case "health_below":
        return this.config.RETENTION_TRIGGER_HEALTH;
      case "usage_drop":
        return 0.3;
      case "nps_detractor":
        return 6;
      case "renewal_risk":
        return 90;
    }
  }

  async automate(
    input: {
      trigger_type: TriggerType;
      threshold?: number | undefined;
      campaign_template: { campaign_type: CampaignType; intervention_level: InterventionLevel };
      dry_run: boolean;
      max_accounts: number;
    },
    progress: (done: number, total: number, message: string) => Promise<void> = async () => {},
    signal?: AbortSignal,
  ) {
    const threshold = input.threshold ?? this.defaultThreshold(input.trigger_type);
    if (input.trigger_type === "usage_drop" && (threshold <= 0 || threshold > 1)) throw validationError("threshold: for usage_drop must be a share between 0 (exclusive) and 1, e.g. 0.3 for a 30 % drop");
    if (input.trigger_type === "nps_detractor" && (threshold < 0 || threshold > 10)) throw validationError("threshold: for nps_detractor must be an NPS answer 0–10 (accounts whose latest answer is at or below it)");
    if (input.trigger_type === "health_below" && (threshold < 0 || threshold > 100)) throw validationError("threshold: for health_below must be a health score 0–100");
    if (input.trigger_type === "renewal_risk" && (threshold < 0 || threshold > 3650 || !Number.isInteger(threshold))) throw validationError("threshold: for renewal_risk must be whole days until renewal, 0–3650");

    const now = this.now();
    const days = this.config.RETENTION_FREQUENCY_DAYS;
    const since = new Date(now.getTime() - days * 86_400_000);
    const matches = await this.repo.triggerMatches(input.trigger_type, threshold, now, input.max_accounts, this.config.RETENTION_TRIGGER_HEALTH, since, COVERED_LISTED);
    const total = matches[0]?.total ?? 0;
    const coveredTotal = matches[0]?.covered_total ?? 0;
    const open = matches.filter((m) => !m.covered).length;

    const started: Array<{ client_id: string; company_name: string; trigger_value: number | null; campaign_id: string | null; outreach_status: string | null; steps: number }> = [];
    const skipped: Array<{ client_id: string; company_name: string; trigger_value: number | null; reason: string; existing_campaign_id: string | null }> = [];
    let done = 0;
    for (const m of matches) {
      if (signal?.aborted) break;
      if (m.covered) {
        skipped.push({
          client_id: m.account_id,
          company_name: m.company_name,
          trigger_value: m.trigger_value,
          reason: `a campaign (${m.last_campaign_id}) started ${m.last_campaign_at!.toISOString()}, within RETENTION_FREQUENCY_DAYS (${days} days)`,
          existing_campaign_id: m.last_campaign_id,
        });
      } else if (input.dry_run) {
        started.push({ client_id: m.account_id, company_name: m.company_name, trigger_value: m.trigger_value, campaign_id: null, outreach_status: null, steps: 0 });
      } else {
        try {
          const c = await this.startCampaign({
            client_id: m.account_id,
            ...input.campaign_template,
            trigger_type: input.trigger_type,
            trigger_value: m.trigger_value,
          });
          started.push({ client_id: m.account_id, company_name: m.company_name, trigger_value: m.trigger_value, campaign_id: c.campaign_id, outreach_status: c.outreach.status, steps: c.steps.length });
        } catch (err) {
          // A campaign started meanwhile by another call, or the account churned: report, go on.
          if (!(err instanceof ToolError) || (err.code !== "conflict" && err.code !== "validation_error" && err.code !== "not_found")) throw err;
          skipped.push({ client_id: m.account_id, company_name: m.company_name, trigger_value: m.trigger_value, reason: err.message, existing_campaign_id: (err.details?.campaign_id as string | undefined) ?? null });
        }
      }
      done++;
      await progress(done, matches.length, `${done}/${matches.length} accounts`);
    }
    const statuses = new Set(started.map((s) => s.outreach_status));
    return {
      trigger_type: input.trigger_type,
      threshold,
      campaign_template: input.campaign_template,
      dry_run: input.dry_run,
      matched: total,
      already_covered: coveredTotal,
      evaluated: done,
      remaining: total - coveredTotal - open,
      truncated: total - coveredTotal > open || coveredTotal > matches.length - open,
      started,
      skipped,
      skipped_note: coveredTotal > matches.length - open ? `${coveredTotal} matching accounts already had a campaign within ${days} days; the first ${matches.length - open} are listed` : null,
      frequency_days: days,
      ...(statuses.has("not_configured")
        ? { integration_note: "outreach emails were not queued: SendGrid is not configured (set SENDGRID_API_KEY and SENDGRID_FROM_EMAIL); campaigns and steps were recorded" }
        : {}),
    };
  }
}

function outreachBody(type: CampaignType, contactName: string | null, csmName: string | null): string {
  const hello = contactName ? `Hi ${contactName},` : "Hello,";
  const why: Record<CampaignType, string> = {
    re_engagement: "I'd like to hear how things are going and whether anything is getting in your team's way.",
    executive_outreach: "Our leadership would value a short conversation about your goals for the coming months.",
    value_review: "I'd like to review with you the results your team has achieved so far and what comes next.",
    training_offer: "We'd be glad to run a free training session for your team on the features that matter most to you.",
    discount_offer: "We have prepared an offer for your renewal and would like to walk you through it.",
    success_plan: "I'd like to put together a success plan with you: goals, milestones and how we measure them.",
  };
  return `${hello}\n\n${why[type]} Could we find 30 minutes this week?\n\nBest regards,\n${csmName ?? "Your customer success team"}`;
}
