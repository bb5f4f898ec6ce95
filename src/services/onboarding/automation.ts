// activate_onboarding_automation: schedules a plan's welcome message, milestone reminders and overdue nudges
// through the durable outbox, each with not_before = its send time, in one transaction with the automation
// config stored on the plan (onboarding_plans.automation).
//
// Send times (send_hour_utc on a calendar date, UTC):
//   welcome             now;
//   milestone_reminder  due_date − reminder_days_before at send_hour_utc; when that moment has passed but the
//                       due date has not, now (catch-up); when the due date has passed, none (the nudge covers it);
//   overdue_nudge       due_date + overdue_days_after at send_hour_utc; when that moment has passed, now.
//   Completed or skipped milestones get neither.
// Idempotency keys: onboarding:<plan_id>:<slot>:<kind>:<fingerprint>[:<recipient>] where slot is `plan` or
//   m<sequence>, and the fingerprint is a hash of the delivery preferences (channel, recipients, timing). The
//   same call twice yields the same keys, so nothing is queued twice.
// Re-activation: a (slot, kind) already delivered or in flight under any preferences is not sent again.
//   Pending rows of the plan that the new schedule does not contain (other preferences, a trigger dropped, a
//   milestone completed meanwhile) are marked failed with last_error "superseded: …" in the same
//   transaction; a superseded row whose key the new schedule wants again is brought back to pending.
import { createHash } from "node:crypto";
import type { Prisma as P, PrismaClient } from "../../generated/prisma/client.ts";
import type { Config } from "../../config/load.ts";
import { OnboardingPlanRepository, type PlanWithItems } from "../../repositories/onboarding-plans.ts";
import { milestoneSlot, planKeyPrefix, planOutboxRows, reviveSuperseded, SUPERSEDED_PREFIX, supersedePending, type PlanOutboxRow } from "../../repositories/onboarding-outbox.ts";
import { writeAudit, writeTimeline } from "../../repositories/audit.ts";
import { enqueue, type DeliveryReport } from "../../integrations/outbox.ts";
import { integrationStatus, type Integration } from "../../integrations/status.ts";
import { conflict, notFound, validationError } from "../../server/errors.ts";
import { toIso, toIsoDate } from "../../security/validation.ts";
import { AUTOMATION_TRIGGERS, displayName, overdueMessage, reminderMessage, welcomeMessage, type AutomationTrigger, type MessageContext } from "./messages.ts";
import { addDays, isOpen, utcDay } from "./views.ts";

/** Recipients named in the answer: the plan-wide list and each message's. */
const RECIPIENT_SAMPLE = 20;
const MESSAGE_RECIPIENT_SAMPLE = 3;

export const CHANNELS = ["email", "in_app"] as const;
export type Channel = (typeof CHANNELS)[number];
export const RECIPIENT_SCOPES = ["primary_contact", "all_contacts"] as const;

export interface NotificationPreferences {
  channel: Channel;
  recipients: (typeof RECIPIENT_SCOPES)[number];
  reminder_days_before: number;
  overdue_days_after: number;
  send_hour_utc: number;
}

export interface ActivateInput {
  client_id: string;
  plan_id: string;
  automation_triggers: AutomationTrigger[];
  notification_preferences: NotificationPreferences;
}

export type ScheduleReport = DeliveryReport | { integration: string; status: "skipped"; reason: string };

interface Recipient {
  email: string;
  name?: string;
}

interface Wanted {
  kind: AutomationTrigger;
  slot: string;
  milestone: PlanWithItems["milestones"][number] | null;
  send_at: Date;
  timing: "now" | "scheduled" | "catch_up";
  recipients: Recipient[];
  key: string;
  integration: Integration;
  operation: string;
  payload: Record<string, unknown>;
}

const HOUR_MS = 3_600_000;
const short = (s: string, n: number) => createHash("sha256").update(s).digest("hex").slice(0, n);

export class OnboardingAutomationService {
  private readonly plans: OnboardingPlanRepository;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly config: Config,
    private readonly now: () => Date,
  ) {
    this.plans = new OnboardingPlanRepository(prisma);
  }

  private async recipients(tx: P.TransactionClient, accountId: string, primary: string | null, primaryName: string | null, scope: NotificationPreferences["recipients"]): Promise<Recipient[]> {
    const contacts = await tx.contact.findMany({ where: { account_id: accountId }, select: { email: true, name: true, is_primary: true, unsubscribed_at: true }, orderBy: { email: "asc" } });
    const unsubscribed = new Set(contacts.filter((c) => c.unsubscribed_at).map((c) => c.email.toLowerCase()));
    const out = new Map<string, Recipient>();
    const add = (email: string | null, name: string | null) => {
      if (!email) return;
      const e = email.toLowerCase();
      if (unsubscribed.has(e) || out.has(e)) return;
      out.set(e, { email: e, ...(name ? { name } : {}) });
    };
    add(primary, primaryName);
    const flagged = contacts.find((c) => c.is_primary && !c.unsubscribed_at);
    if (!out.size && flagged) add(flagged.email, flagged.name);
    if (scope === "all_contacts") for (const c of contacts) add(c.email, c.name);
    return [...out.values()];
  }

  private payload(channel: Channel, to: Recipient[], msg: { subject: string; text: string }, meta: Record<string, string>, csm: { email: string | null; name: string | null }) {
    if (channel === "in_app") {
      return { integration: "intercom" as const, operation: "intercom.send_message", payload: { email: to[0]!.email, subject: msg.subject, body: msg.text, message_type: "inapp" } };
    }
    const envelope = {
      ...(this.config.SENDGRID_FROM_EMAIL ? { from: { email: this.config.SENDGRID_FROM_EMAIL, ...(this.config.SENDGRID_FROM_NAME ? { name: this.config.SENDGRID_FROM_NAME } : {}) } } : {}),
      ...(csm.email ? { reply_to: { email: csm.email, ...(csm.name ? { name: csm.name } : {}) } } : {}),
      subject: msg.subject,
      text: msg.text,
      categories: ["onboarding", meta.kind!],
      custom_args: meta,
    };
    // One recipient: a plain send; several: one personalization each, so nobody sees the others' addresses.
    return to.length === 1
      ? { integration: "sendgrid" as const, operation: "sendgrid.send", payload: { to: [to[0]!], ...envelope } }
      : { integration: "sendgrid" as const, operation: "sendgrid.send_batch", payload: { recipients: to, ...envelope } };
  }

  async activate(input: ActivateInput) {
    const now = this.now();
    const prefs = input.notification_preferences;
    const triggers = AUTOMATION_TRIGGERS.filter((t) => input.automation_triggers.includes(t));
    return this.prisma.$transaction(async (tx) => {
      await this.plans.lock(tx, input.plan_id);
      const plan = await this.plans.find(input.plan_id, tx);
      if (!plan) throw notFound("onboarding plan", input.plan_id, "use track_onboarding_progress with the client_id to find its plan, or create_onboarding_plan");
      if (plan.account_id !== input.client_id) throw validationError(`plan_id: plan ${plan.id} belongs to another account, not ${input.client_id}`);
      if (plan.status !== "active") throw conflict(`onboarding plan ${plan.id} is ${plan.status}; automation runs on active plans only`, "create a new plan with create_onboarding_plan");
      const account = await tx.account.findUniqueOrThrow({ where: { id: plan.account_id }, select: { company_name: true, primary_contact_email: true, primary_contact_name: true, csm_email: true, csm_name: true } });

      const to = await this.recipients(tx, plan.account_id, account.primary_contact_email, account.primary_contact_name, prefs.recipients);
      const integration: Integration = prefs.channel === "email" ? "sendgrid" : "intercom";
      const fingerprint = short(JSON.stringify({ channel: prefs.channel, to: to.map((r) => r.email), b: prefs.reminder_days_before, a: prefs.overdue_days_after, h: prefs.send_hour_utc }), 10);
      const ctx: MessageContext = { company: account.company_name, contactName: to.length === 1 ? (to[0]!.name ?? null) : null, csmName: account.csm_name };
      const at = (date: Date, days: number) => new Date(addDays(utcDay(date), days).getTime() + prefs.send_hour_utc * HOUR_MS);

      // 1. What the schedule wants.
      const wanted: Wanted[] = [];
      const notScheduled: Array<{ kind: AutomationTrigger; milestone_id: string | null; milestone_name: string | null; reason: string }> = [];
      const want = (kind: AutomationTrigger, m: Wanted["milestone"], send_at: Date, timing: Wanted["timing"], msg: { subject: string; text: string }) => {
        const slot = m ? milestoneSlot(m.sequence) : "plan";
        const meta = { plan_id: plan.id, client_id: plan.account_id, kind, slot };
        const groups = prefs.channel === "in_app" ? to.map((r) => [r]) : [to];
        for (const g of groups) {
          const key = `${planKeyPrefix(plan.id)}${slot}:${kind}:${fingerprint}${prefs.channel === "in_app" ? `:${short(g[0]!.email, 8)}` : ""}`;
          wanted.push({ kind, slot, milestone: m, send_at, timing, recipients: g, key, ...this.payload(prefs.channel, g, msg, meta, { email: account.csm_email, name: account.csm_name }) });
        }
      };
      if (triggers.includes("welcome")) want("welcome", null, now, "now", welcomeMessage(plan, ctx));
      for (const m of plan.milestones) {
        const name = displayName(m);
        if (!isOpen(m.status)) {
          for (const k of triggers.filter((t) => t !== "welcome")) notScheduled.push({ kind: k, milestone_id: m.id, milestone_name: m.name, reason: `milestone ${name} is ${m.status}` });
          continue;
        }
        if (triggers.includes("milestone_reminder")) {
          const t = at(m.due_date, -prefs.reminder_days_before);
          const dueEnd = addDays(utcDay(m.due_date), 1);
          if (t.getTime() >= now.getTime()) want("milestone_reminder", m, t, "scheduled", reminderMessage(m, ctx));
          else if (dueEnd.getTime() > now.getTime()) want("milestone_reminder", m, now, "catch_up", reminderMessage(m, ctx));
          else notScheduled.push({ kind: "milestone_reminder", milestone_id: m.id, milestone_name: m.name, reason: `the due date ${toIsoDate(m.due_date)} has passed; the overdue nudge covers it` });
        }
        if (triggers.includes("overdue_nudge")) {
          const t = at(m.due_date, prefs.overdue_days_after);
          want("overdue_nudge", m, t.getTime() >= now.getTime() ? t : now, t.getTime() >= now.getTime() ? "scheduled" : "catch_up", overdueMessage(m, ctx));
        }
      }

      // 2. What is already in the outbox for this plan.
      const existing = await planOutboxRows(tx, plan.account_id, plan.id);
      const byKey = new Map(existing.map((r) => [r.idempotency_key, r]));
      const parts = (key: string) => key.slice(planKeyPrefix(plan.id).length).split(":");
      const slotKind = (key: string) => parts(key).slice(0, 2).join(":");
      // Which message a key is, whatever the preferences' fingerprint: slot, kind and, for in-app messages
      // (one row per recipient), the recipient — so one recipient's delivery does not count for another's.
      const identity = (key: string) => {
        const [slot, kind, , recipient] = parts(key);
        return recipient ? `${slot}:${kind}:${recipient}` : `${slot}:${kind}`;
      };
      const sent = new Map<string, PlanOutboxRow>();
      for (const r of existing) if (r.status === "delivered" || r.status === "in_flight" || r.status === "unknown_outcome") sent.set(identity(r.idempotency_key), r);

      // 3. Supersede pending rows the new schedule does not contain, each with its reason.
      const wantedKeys = new Set(wanted.filter((w) => !sent.has(identity(w.key))).map((w) => w.key));
      const superseded: Array<{ outbox_id: string; idempotency_key: string; reason: string }> = [];
      for (const r of existing.filter((x) => x.status === "pending" && !wantedKeys.has(x.idempotency_key))) {
        const [slot, kind] = slotKind(r.idempotency_key).split(":") as [string, AutomationTrigger];
        const m = slot === "plan" ? null : plan.milestones.find((x) => milestoneSlot(x.sequence) === slot);
        const reason = !triggers.includes(kind)
          ? `automation re-activated at ${now.toISOString()} without the '${kind}' trigger`
          : m && !isOpen(m.status)
            ? `milestone ${m.name} is ${m.status}`
            : sent.has(identity(r.idempotency_key))
              ? `this ${kind} was already delivered (outbox ${sent.get(identity(r.idempotency_key))!.id})`
              : `automation re-activated at ${now.toISOString()} with other notification preferences (channel ${prefs.channel}, recipients ${prefs.recipients}, timing ${prefs.reminder_days_before}d before / ${prefs.overdue_days_after}d after at ${prefs.send_hour_utc}:00 UTC)`;
        await supersedePending(tx, plan.account_id, plan.id, reason, { keys: [r.idempotency_key] });
        superseded.push({ outbox_id: r.id, idempotency_key: r.idempotency_key, reason: `${SUPERSEDED_PREFIX} ${reason}` });
      }

      // 4. Queue what is wanted (idempotent by key).
      const configured = integrationStatus(this.config).find((s) => s.integration === integration)!.state === "configured";
      const scheduled = [];
      for (const w of wanted) {
        let delivery: ScheduleReport;
        const prior = sent.get(identity(w.key));
        const row = byKey.get(w.key);
        if (!to.length) {
          delivery = { integration, status: "skipped", reason: "no recipient: the account has no primary contact email (or it unsubscribed); set one with update_client_info or add contacts" };
        } else if (prior) {
          delivery = { integration, status: "skipped", reason: `already ${prior.status === "delivered" ? `delivered at ${toIso(prior.delivered_at)}` : "being delivered"} (outbox ${prior.id})` };
        } else if (row && row.status === "pending") {
          delivery = { integration, status: "queued", outbox_id: row.id, idempotency_key: row.idempotency_key, deliver_after: row.next_attempt_at.toISOString() };
        } else if (row && row.status === "failed" && !row.last_error?.startsWith(SUPERSEDED_PREFIX)) {
          delivery = { integration, status: "skipped", reason: `an earlier delivery of this message failed (${row.last_error ?? "no error recorded"}); retry outbox ${row.id} with the outbox admin tool` };
        } else if (row && row.status === "failed" && configured) {
          await reviveSuperseded(tx, row.id, w.payload, w.send_at);
          delivery = { integration, status: "queued", outbox_id: row.id, idempotency_key: row.idempotency_key, deliver_after: w.send_at.toISOString() };
        } else {
          delivery = await enqueue(tx, this.config, { integration: w.integration, operation: w.operation, payload: w.payload, idempotency_key: w.key, account_id: plan.account_id, not_before: w.send_at });
        }
        scheduled.push({
          kind: w.kind,
          milestone_id: w.milestone?.id ?? null,
          milestone_sequence: w.milestone?.sequence ?? null,
          milestone_name: w.milestone?.name ?? null,
          milestone_due_date: w.milestone ? toIsoDate(w.milestone.due_date) : null,
          send_at: w.send_at.toISOString(),
          timing: w.timing,
          channel: prefs.channel,
          operation: w.operation,
          recipients: w.recipients.map((r) => r.email),
          idempotency_key: w.key,
          delivery,
        });
      }

      const automation = {
        activated_at: now.toISOString(),
        triggers,
        notification_preferences: prefs,
        integration,
        fingerprint,
        recipients: to.map((r) => r.email),
        schedule: scheduled.map((s) => ({ kind: s.kind, milestone_sequence: s.milestone_sequence, send_at: s.send_at, idempotency_key: s.idempotency_key, status: s.delivery.status })),
        superseded: superseded.length,
      };
      await tx.onboardingPlan.update({ where: { id: plan.id }, data: { automation: automation as unknown as P.InputJsonValue } });
      const counts = { queued: scheduled.filter((s) => s.delivery.status === "queued").length, not_configured: scheduled.filter((s) => s.delivery.status === "not_configured").length, skipped: scheduled.filter((s) => s.delivery.status === "skipped").length };
      await writeTimeline(tx, {
        account_id: plan.account_id,
        event_type: "note",
        summary: `Onboarding automation activated (${prefs.channel}): ${scheduled.length} messages scheduled, ${counts.queued} queued`,
        data: { plan_id: plan.id, ...counts, superseded: superseded.length },
        occurred_at: now,
      });
      await writeAudit(tx, { action: "activate_onboarding_automation", entity_type: "onboarding_plan", entity_id: plan.id, changes: { triggers, channel: prefs.channel, recipients: to.length, ...counts, superseded: superseded.length } });
      const first = scheduled.filter((s) => s.delivery.status === "queued").map((s) => s.send_at).sort()[0] ?? null;
      return {
        plan_id: plan.id,
        client_id: plan.account_id,
        company_name: account.company_name,
        triggers,
        notification_preferences: prefs,
        integration,
        // all_contacts may be hundreds of people: the answer names the first RECIPIENT_SAMPLE, with the count.
        recipients: to.slice(0, RECIPIENT_SAMPLE).map((r) => r.email),
        recipients_total: to.length,
        scheduled: scheduled.map((m) => ({ ...m, recipients: m.recipients.slice(0, MESSAGE_RECIPIENT_SAMPLE), recipients_total: m.recipients.length })),
        not_scheduled: notScheduled,
        superseded,
        counts: { scheduled: scheduled.length, ...counts, superseded: superseded.length },
        next_send_at: first,
        rules: {
          welcome: "sent now",
          milestone_reminder: `due_date − ${prefs.reminder_days_before} days at ${prefs.send_hour_utc}:00 UTC; now when that has passed but the due date has not; none after the due date`,
          overdue_nudge: `due_date + ${prefs.overdue_days_after} days at ${prefs.send_hour_utc}:00 UTC (now when that has passed); superseded when the milestone is completed first`,
        },
      };
    });
  }
}
