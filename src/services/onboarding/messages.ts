// The texts of the onboarding automation's messages, built from the stored plan at scheduling time: a
// welcome with the milestone dates, a reminder before a milestone's due date with its open tasks, and a
// nudge after a missed due date.
import type { PlanWithItems } from "../../repositories/onboarding-plans.ts";
import { toIsoDate } from "../../security/validation.ts";
import { MILESTONE_CATALOGUE } from "./plan-generator.ts";
import { isOpen } from "./views.ts";

export const AUTOMATION_TRIGGERS = ["welcome", "milestone_reminder", "overdue_nudge"] as const;
export type AutomationTrigger = (typeof AUTOMATION_TRIGGERS)[number];

type Milestone = PlanWithItems["milestones"][number];

/** The milestone's display name: the catalogue's name for a generated milestone, else the stored name. */
export function displayName(m: Pick<Milestone, "name">): string {
  return MILESTONE_CATALOGUE.find((c) => c.code === m.name)?.name ?? m.name;
}

function openTasks(m: Milestone): string {
  const open = m.tasks.filter((t) => isOpen(t.status));
  if (!open.length) return "All tasks of this milestone are done; only its completion is left to confirm.";
  return ["Open tasks:", ...open.map((t) => `- ${t.title} (${t.owner ?? "unassigned"}, due ${toIsoDate(t.due_date)})`)].join("\n");
}

export interface MessageContext {
  company: string;
  contactName: string | null;
  csmName: string | null;
}

const greeting = (c: MessageContext) => `Hello${c.contactName ? ` ${c.contactName}` : ""},`;
const signOff = (c: MessageContext) => (c.csmName ? `\n\n${c.csmName}, your customer success manager` : "");

export function welcomeMessage(plan: PlanWithItems, c: MessageContext): { subject: string; text: string } {
  const lines = plan.milestones.map((m) => `- ${toIsoDate(m.due_date)}: ${displayName(m)}`);
  return {
    subject: `Welcome to your onboarding, ${c.company}`,
    text:
      `${greeting(c)}\n\nYour onboarding plan runs from ${toIsoDate(plan.start_date)} to ${toIsoDate(plan.target_date)}. ` +
      `Its milestones:\n${lines.join("\n")}\n\nGoals we work towards: ${plan.customer_goals.join("; ")}.${signOff(c)}`,
  };
}

export function reminderMessage(m: Milestone, c: MessageContext): { subject: string; text: string } {
  return {
    subject: `Reminder: ${displayName(m)} is due on ${toIsoDate(m.due_date)}`,
    text: `${greeting(c)}\n\nThe onboarding milestone "${displayName(m)}" for ${c.company} is due on ${toIsoDate(m.due_date)}.\n\n${openTasks(m)}${signOff(c)}`,
  };
}

export function overdueMessage(m: Milestone, c: MessageContext): { subject: string; text: string } {
  return {
    subject: `${displayName(m)} was due on ${toIsoDate(m.due_date)}`,
    text:
      `${greeting(c)}\n\nThe onboarding milestone "${displayName(m)}" for ${c.company} was due on ${toIsoDate(m.due_date)} and is not completed yet.\n\n` +
      `${openTasks(m)}\n\nReply to agree a new date or to tell us what blocks it.${signOff(c)}`,
  };
}
