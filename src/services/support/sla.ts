// Support SLAs (DOMAIN.md "Support SLAs"), in one place: the targets per priority, the due dates stored on a
// ticket, the status of each target (met / breached / at_risk / on_track), and the escalation rule. The
// ticket import, the ticket tool and the performance report all use these, so the rule cannot drift.
//
// Status of one target (first response or resolution), from the stored timestamps:
// - the event happened (first response: first_response_at, else the resolution, since resolving answers the
//   customer; resolution: resolved_at, else closed_at): met when at or before the due time, else breached;
// - no event and the ticket is still open: breached once now is after the due time; otherwise at_risk when at
//   least SLA_AT_RISK_PERCENT of the target is used, else on_track;
// - no event recorded and the ticket is no longer open (an imported row without times): unknown.
import type { Config } from "../../config/load.ts";

export const PRIORITIES = ["P1", "P2", "P3", "P4"] as const;
export type Priority = (typeof PRIORITIES)[number];
export const TICKET_STATUSES = ["open", "pending", "in_progress", "resolved", "closed"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
/** Statuses in which a ticket still needs work (and its clocks still run). */
export const OPEN_STATUSES = ["open", "pending", "in_progress"] as const;
export const isOpen = (s: string): boolean => (OPEN_STATUSES as readonly string[]).includes(s);
/** The same list for SQL: `status IN ${OPEN_SQL}` (constants only, no user input). */
export const OPEN_SQL = `('open', 'pending', 'in_progress')`;

export type SlaSettings = Pick<
  Config,
  | "SLA_FIRST_RESPONSE_MINUTES"
  | "SLA_RESOLUTION_P1_MINUTES"
  | "SLA_RESOLUTION_P2_MINUTES"
  | "SLA_RESOLUTION_P3_MINUTES"
  | "SLA_RESOLUTION_P4_MINUTES"
>;

const MINUTE = 60_000;

/** Target minutes for a priority: first response (same for every priority) and resolution. */
export function slaTargets(config: SlaSettings, priority: Priority): { first_response_minutes: number; resolution_minutes: number } {
  const resolution = {
    P1: config.SLA_RESOLUTION_P1_MINUTES,
    P2: config.SLA_RESOLUTION_P2_MINUTES,
    P3: config.SLA_RESOLUTION_P3_MINUTES,
    P4: config.SLA_RESOLUTION_P4_MINUTES,
  }[priority];
  return { first_response_minutes: config.SLA_FIRST_RESPONSE_MINUTES, resolution_minutes: resolution };
}

/** The due dates stored on a ticket created at `createdAt` with `priority`. */
export function slaDueDates(config: SlaSettings, priority: Priority, createdAt: Date): { first_response_due_at: Date; resolution_due_at: Date } {
  const t = slaTargets(config, priority);
  return {
    first_response_due_at: new Date(createdAt.getTime() + t.first_response_minutes * MINUTE),
    resolution_due_at: new Date(createdAt.getTime() + t.resolution_minutes * MINUTE),
  };
}

export const SLA_STATUSES = ["met", "breached", "at_risk", "on_track", "unknown"] as const;
export type SlaStatus = (typeof SLA_STATUSES)[number];

export interface SlaState {
  target_minutes: number;
  due_at: string;
  status: SlaStatus;
  /** When the target's event happened (see the header), or null. */
  achieved_at: string | null;
  /** Minutes from creation to the event, or to now while open; null when unknown. */
  minutes_used: number | null;
  /** Minutes from the event (or now) to the due time; negative = that much over the target. */
  minutes_remaining: number | null;
  percent_used: number | null;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Status of one target from its timestamps. `atRiskPercent` is SLA_AT_RISK_PERCENT. */
export function slaState(args: { created_at: Date; due_at: Date; event_at: Date | null; open: boolean; now: Date; atRiskPercent: number }): SlaState {
  const created = args.created_at.getTime();
  const due = args.due_at.getTime();
  const targetMs = due - created;
  const base = { target_minutes: round1(targetMs / MINUTE), due_at: args.due_at.toISOString(), achieved_at: args.event_at ? args.event_at.toISOString() : null };
  if (!args.event_at && !args.open) return { ...base, status: "unknown", minutes_used: null, minutes_remaining: null, percent_used: null };
  const at = (args.event_at ?? args.now).getTime();
  const used = at - created;
  const figures = {
    minutes_used: round1(used / MINUTE),
    minutes_remaining: round1((due - at) / MINUTE),
    percent_used: targetMs > 0 ? round1((used / targetMs) * 100) : null,
  };
  let status: SlaStatus;
  if (args.event_at) status = at <= due ? "met" : "breached";
  else if (at > due) status = "breached";
  // Integer milliseconds: "at least p % used" without rounding at the boundary.
  else status = used * 100 >= targetMs * args.atRiskPercent ? "at_risk" : "on_track";
  return { ...base, status, ...figures };
}

export interface TicketTimes {
  status: string;
  created_at: Date;
  first_response_due_at: Date;
  resolution_due_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
}

/** The event each target waits for (see the header). */
export const firstResponseEvent = (t: TicketTimes): Date | null => t.first_response_at ?? t.resolved_at ?? t.closed_at;
export const resolutionEvent = (t: TicketTimes): Date | null => t.resolved_at ?? t.closed_at;

export function ticketSla(t: TicketTimes, now: Date, atRiskPercent: number): { first_response: SlaState; resolution: SlaState } {
  const open = isOpen(t.status);
  return {
    first_response: slaState({ created_at: t.created_at, due_at: t.first_response_due_at, event_at: firstResponseEvent(t), open, now, atRiskPercent }),
    resolution: slaState({ created_at: t.created_at, due_at: t.resolution_due_at, event_at: resolutionEvent(t), open, now, atRiskPercent }),
  };
}

/**
 * The same rule in SQL over a row aliased `t` (for the performance report): the event expressions and the
 * met / breached predicates. `$now` is the placeholder of the report's "now" parameter.
 */
export function slaSql(now: string) {
  const fr = `COALESCE(t.first_response_at, t.resolved_at, t.closed_at)`;
  const res = `COALESCE(t.resolved_at, t.closed_at)`;
  return {
    firstResponseEvent: fr,
    resolutionEvent: res,
    frMet: `(${fr} IS NOT NULL AND ${fr} <= t.first_response_due_at)`,
    frBreached: `((${fr} IS NOT NULL AND ${fr} > t.first_response_due_at) OR (${fr} IS NULL AND t.status IN ${OPEN_SQL} AND t.first_response_due_at < ${now}))`,
    resMet: `(${res} IS NOT NULL AND ${res} <= t.resolution_due_at)`,
    resBreached: `((${res} IS NOT NULL AND ${res} > t.resolution_due_at) OR (${res} IS NULL AND t.status IN ${OPEN_SQL} AND t.resolution_due_at < ${now}))`,
  };
}

export type EscalationSettings = Pick<Config, "ESCALATE_NO_RESPONSE_MINUTES" | "ESCALATE_NO_RESOLUTION_DAYS">;

/**
 * DOMAIN.md: escalate when there is no first response within ESCALATE_NO_RESPONSE_MINUTES (2 h) or no
 * resolution within ESCALATE_NO_RESOLUTION_DAYS (3 days) — i.e. once that long has fully passed while the
 * ticket is still open. Returns the reasons that apply (empty: the rule does not call for escalation).
 */
export function escalationReasons(t: Pick<TicketTimes, "status" | "created_at" | "first_response_at">, now: Date, config: EscalationSettings): string[] {
  if (!isOpen(t.status)) return [];
  const age = now.getTime() - t.created_at.getTime();
  const reasons: string[] = [];
  if (!t.first_response_at && age > config.ESCALATE_NO_RESPONSE_MINUTES * MINUTE) {
    reasons.push(`no first response within ${config.ESCALATE_NO_RESPONSE_MINUTES} minutes (open ${Math.floor(age / MINUTE)} minutes)`);
  }
  if (age > config.ESCALATE_NO_RESOLUTION_DAYS * 86_400_000) {
    reasons.push(`not resolved within ${config.ESCALATE_NO_RESOLUTION_DAYS} days (open ${Math.floor(age / 86_400_000)} days)`);
  }
  return reasons;
}

/** The escalation rule in SQL over a row aliased `t`: $now, $noResponseMinutes and $noResolutionDays placeholders. */
export function escalationDueSql(now: string, noResponseMinutes: string, noResolutionDays: string): string {
  return `(t.status IN ${OPEN_SQL} AND ((t.first_response_at IS NULL AND t.created_at < ${now} - make_interval(mins => ${noResponseMinutes}::int))
           OR t.created_at < ${now} - make_interval(days => ${noResolutionDays}::int)))`;
}
