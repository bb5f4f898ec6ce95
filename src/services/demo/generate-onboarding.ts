// The demo's onboarding and training, generated after the accounts:
// - an onboarding plan for every active account that started within the last year, made by the project's
//   own plan generator (services/onboarding/plan-generator.ts) so milestones, tasks and dates follow its
//   rule. Accounts in the onboarding stage have an active plan still ahead of them; some of them (and some
//   churners) have stalled, leaving milestones and tasks overdue. Older plans finished, champions early and
//   churners late; a plan is completed at the moment ONBOARDING_COMPLETE_PERCENT of its milestones were;
// - training modules (foundation, advanced, expert), sessions delivered to accounts (admin and end-user
//   training during onboarding, more later), attendance and assessment results within each module's
//   max_attempts (none after a pass), and the certifications those results earn, with the status the
//   certification rules derive (services/onboarding/certification.ts).
import type { DemoAccount, DemoContact, DemoCoreData } from "./generate.ts";
import { DAY, HOUR, MINUTE, type DemoStreams, type Rng, utcMidnight, uuid7 } from "./random.ts";
import { generatePlan, MIN_TIMELINE_WEEKS, type Complexity } from "../onboarding/plan-generator.ts";
import type { DemoSettings } from "./settings.ts";

export interface DemoOnboardingPlan {
  id: string;
  account_id: string;
  customer_goals: string[];
  success_criteria: string[];
  product_tier: string;
  team_size: number;
  technical_complexity: Complexity;
  timeline_weeks: number;
  status: "active" | "completed";
  start_date: Date;
  target_date: Date;
  completed_at: Date | null;
  created_at: Date;
}

export type DemoItemStatus = "pending" | "in_progress" | "completed" | "skipped";

export interface DemoOnboardingMilestone {
  id: string;
  plan_id: string;
  name: string;
  description: string;
  sequence: number;
  due_date: Date;
  status: DemoItemStatus;
  completed_at: Date | null;
}

export interface DemoOnboardingTask {
  id: string;
  milestone_id: string;
  title: string;
  owner: string;
  due_date: Date;
  status: DemoItemStatus;
  completed_at: Date | null;
}

export interface DemoTrainingModule {
  id: string;
  code: string;
  name: string;
  description: string;
  level: "foundation" | "advanced" | "expert";
  passing_score: number;
  max_attempts: number;
  duration_minutes: number;
  created_at: Date;
}

export interface DemoTrainingSession {
  id: string;
  account_id: string;
  module_id: string;
  session_format: "live" | "virtual" | "self_paced" | "workshop";
  session_date: Date;
  duration_minutes: number;
  created_at: Date;
}

export interface DemoTrainingCompletion {
  id: string;
  account_id: string;
  module_id: string;
  session_id: string | null;
  user_email: string;
  status: "attended" | "passed" | "failed" | "no_show";
  score: number | null;
  attempt: number;
  completed_at: Date;
}

export interface DemoCertification {
  id: string;
  account_id: string;
  user_email: string;
  level: "foundation" | "advanced" | "expert";
  module_ids: string[];
  status: "enrolled" | "passed" | "failed" | "issued";
  attempts: number;
  best_score: number | null;
  enrolled_at: Date;
  issued_at: Date | null;
}

export interface DemoOnboardingData {
  onboarding_plans: DemoOnboardingPlan[];
  onboarding_milestones: DemoOnboardingMilestone[];
  onboarding_tasks: DemoOnboardingTask[];
  training_modules: DemoTrainingModule[];
  training_sessions: DemoTrainingSession[];
  training_completions: DemoTrainingCompletion[];
  certifications: DemoCertification[];
}

const S_ONBOARDING = 22;
const S_TRAINING = 23;
const G_MODULES = 103;

/** Demo module codes start with DEMO- so they never take a code a user might give their own modules. */
export const DEMO_MODULES = [
  { code: "DEMO-FND-101", name: "Platform foundations", level: "foundation", passing_score: 75, max_attempts: 3, duration_minutes: 60, description: "Navigation, data sources, the first dashboard and sharing basics" },
  { code: "DEMO-FND-102", name: "Dashboards and reports essentials", level: "foundation", passing_score: 75, max_attempts: 3, duration_minutes: 45, description: "Building, filtering, scheduling and exporting reports and dashboards" },
  { code: "DEMO-ADV-201", name: "Advanced reporting and data modelling", level: "advanced", passing_score: 80, max_attempts: 3, duration_minutes: 90, description: "Custom fields, formula fields, joins and pre-aggregated datasets" },
  { code: "DEMO-ADV-202", name: "Automation rules and alerts", level: "advanced", passing_score: 80, max_attempts: 3, duration_minutes: 60, description: "Triggers, actions, alert thresholds and notification channels" },
  { code: "DEMO-ADM-210", name: "Administration, SSO and permissions", level: "advanced", passing_score: 80, max_attempts: 3, duration_minutes: 60, description: "Roles, folder permissions, SAML single sign-on and user lifecycle" },
  { code: "DEMO-EXP-301", name: "API and integrations for developers", level: "expert", passing_score: 85, max_attempts: 2, duration_minutes: 120, description: "REST API, rate limits, webhooks and the CRM integrations" },
] as const;

const GOALS = [
  "Replace spreadsheet reporting for the leadership team",
  "Give every account manager a live pipeline dashboard",
  "Cut weekly reporting time by half",
  "Connect CRM data to product usage metrics",
  "Automate alerts for key operational metrics",
  "Roll out self-service analytics to all departments",
] as const;
const CRITERIA = [
  "80% of licensed users active weekly",
  "Leadership dashboard reviewed in the weekly meeting",
  "CRM integration syncing without errors for 14 days",
  "Three automated reports scheduled",
  "Admins certified at foundation level",
  "First insight acted on by the business",
] as const;

const TIER_COMPLEXITY: Record<string, readonly (readonly [Complexity, number])[]> = {
  starter: [["low", 1]],
  standard: [["low", 0.6], ["medium", 0.4]],
  professional: [["medium", 0.6], ["high", 0.4]],
  enterprise: [["high", 0.6], ["medium", 0.4]],
};

function pickSome<T>(rng: Rng, items: readonly T[], n: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0] as T);
  return out;
}

export function generateOnboarding(data: DemoCoreData, streams: DemoStreams, settings: DemoSettings): DemoOnboardingData {
  const out: DemoOnboardingData = {
    onboarding_plans: [],
    onboarding_milestones: [],
    onboarding_tasks: [],
    training_modules: [],
    training_sessions: [],
    training_completions: [],
    certifications: [],
  };
  const completePercent = settings.ONBOARDING_COMPLETE_PERCENT;

  const mrng = streams.global(G_MODULES);
  const modulesCreated = streams.today - 700 * DAY + 15 * HOUR;
  for (const m of DEMO_MODULES) out.training_modules.push({ id: uuid7(modulesCreated, mrng), ...m, created_at: new Date(modulesCreated) });
  const moduleByCode = new Map(out.training_modules.map((m) => [m.code, m]));

  const contacts = new Map<string, DemoContact[]>();
  for (const c of data.contacts) contacts.set(c.account_id, [...(contacts.get(c.account_id) ?? []), c]);

  data.accounts.forEach((account, index) => {
    const own = contacts.get(account.id) ?? [];
    const adminTraining = generatePlanFor(account, streams.account(index, S_ONBOARDING), streams, completePercent, out);
    generateTraining(account, own, streams.account(index, S_TRAINING), streams, moduleByCode, adminTraining, out);
  });
  return out;
}

/** The plan of one account (when it started within the year); returns when admin and end-user training took place. */
function generatePlanFor(
  account: DemoAccount,
  rng: Rng,
  streams: DemoStreams,
  completePercent: number,
  out: DemoOnboardingData,
): { admin: number | null; end_user: number | null } {
  const none = { admin: null, end_user: null };
  const { nowMs, today } = streams;
  const created = account.created_at.getTime();
  const tenureDays = Math.floor((today - utcMidnight(created)) / DAY);
  if (account.status !== "active" || tenureDays >= 365) return none;

  const complexity = rng.weighted<Complexity>(TIER_COMPLEXITY[account.tier] ?? [["low", 1]]);
  const start = Math.min(today, utcMidnight(created) + rng.int(1, 3) * DAY);
  const elapsed = (today - start) / DAY;
  const onboarding = account.lifecycle_stage === "onboarding";
  // An account still onboarding has most of its plan ahead (at least 40% of the timeline left).
  const weeks = onboarding
    ? Math.max(MIN_TIMELINE_WEEKS[complexity], Math.ceil(elapsed / 7 / 0.6) + rng.int(1, 3))
    : MIN_TIMELINE_WEEKS[complexity] + rng.int(0, complexity === "high" ? 4 : 2);
  const goals = pickSome(rng, GOALS, rng.int(2, 3));
  const criteria = pickSome(rng, CRITERIA, rng.int(2, 3));
  const plan = generatePlan({
    customer_goals: goals,
    success_criteria: criteria,
    product_tier: account.tier,
    team_size: account.seats,
    technical_complexity: complexity,
    timeline_weeks: weeks,
    start_date: new Date(start),
  });

  // When each milestone got done: its due date plus a drift that builds up (champions ahead, churners behind).
  const [lo, hi] = account.profile === "champion" ? [-2, 1] : account.profile === "churner" ? [0, 9] : [-2, 4];
  const stalls = (onboarding && rng.chance(account.profile === "churner" ? 0.8 : 0.45)) || (account.profile === "churner" && rng.chance(0.5));
  // A stalled plan stops at its last milestone already due: that one and the rest are not done.
  let stallAt = Infinity;
  if (stalls) {
    for (const m of plan.milestones) if (m.due_date.getTime() < today) stallAt = m.sequence;
  }
  let drift = 0;
  let previous = start + 9 * HOUR;
  const done: number[] = [];
  const planId = uuid7(start + 8 * HOUR, rng);
  const milestones: DemoOnboardingMilestone[] = [];
  const tasks: DemoOnboardingTask[] = [];
  let adminAt: number | null = null;
  let endUserAt: number | null = null;
  let openSeen = false;
  for (const m of plan.milestones) {
    drift += rng.int(lo, hi);
    const at = Math.max(previous + HOUR, m.due_date.getTime() + drift * DAY + rng.int(10, 18) * HOUR + rng.int(0, 59) * MINUTE);
    const completed = at < nowMs && m.sequence < stallAt;
    let status: DemoItemStatus;
    if (completed) status = "completed";
    else if (!openSeen) status = "in_progress";
    else status = "pending";
    if (!completed) openSeen = true;
    if (completed) {
      previous = at;
      done.push(at);
    }
    const id = uuid7(start + 8 * HOUR, rng);
    milestones.push({ id, plan_id: planId, name: m.name, description: m.description, sequence: m.sequence, due_date: m.due_date, status, completed_at: completed ? new Date(at) : null });
    if (m.code === "admin_training") adminAt = completed ? at : m.due_date.getTime() < today ? m.due_date.getTime() + 15 * HOUR : null;
    if (m.code === "end_user_training" && completed) endUserAt = at;

    // Tasks: all done with a done milestone; an open milestone has its earlier tasks done (when their time
    // has come) and the rest open; a pending milestone's tasks are all still to do.
    const n = m.tasks.length;
    m.tasks.forEach((t, j) => {
      let taskDone: number | null = null;
      if (completed) taskDone = at - (n - 1 - j) * rng.int(2, 30) * HOUR;
      else if (status === "in_progress" && j < n - 1 && rng.chance(0.6)) {
        const when = t.due_date.getTime() + drift * DAY + rng.int(9, 18) * HOUR;
        if (when < nowMs) taskDone = when;
      }
      if (taskDone !== null) taskDone = Math.max(start + 9 * HOUR, Math.min(taskDone, nowMs - MINUTE));
      tasks.push({
        id: uuid7(start + 8 * HOUR, rng),
        milestone_id: id,
        title: t.title,
        owner: t.owner,
        due_date: t.due_date,
        status: taskDone !== null ? "completed" : status === "in_progress" && j === 0 ? "in_progress" : "pending",
        completed_at: taskDone === null ? null : new Date(taskDone),
      });
    });
  }
  // Completed at the moment the threshold was reached: the k-th earliest completed milestone.
  const k = Math.ceil((completePercent * milestones.length) / 100);
  const sorted = [...done].sort((a, b) => a - b);
  const completedAt = sorted.length >= k ? (sorted[k - 1] as number) : null;
  out.onboarding_plans.push({
    id: planId,
    account_id: account.id,
    customer_goals: goals,
    success_criteria: criteria,
    product_tier: account.tier,
    team_size: account.seats,
    technical_complexity: complexity,
    timeline_weeks: weeks,
    status: completedAt === null ? "active" : "completed",
    start_date: new Date(start),
    target_date: plan.target_date,
    completed_at: completedAt === null ? null : new Date(completedAt),
    created_at: new Date(Math.max(created, start - DAY + 16 * HOUR)),
  });
  out.onboarding_milestones.push(...milestones);
  out.onboarding_tasks.push(...tasks);
  return { admin: adminAt, end_user: endUserAt };
}

// ------------------------------------------------------------------ training

interface ResultState {
  attempts: number;
  passed: boolean;
  best: number | null;
  first: number;
  last: number;
}

function generateTraining(
  account: DemoAccount,
  contacts: readonly DemoContact[],
  rng: Rng,
  streams: DemoStreams,
  modules: Map<string, DemoTrainingModule>,
  onboarding: { admin: number | null; end_user: number | null },
  out: DemoOnboardingData,
): void {
  const { nowMs, today } = streams;
  const created = account.created_at.getTime();
  const end = account.churned_at ? account.churned_at.getTime() : nowMs;
  const admins = contacts.filter((c) => c.is_primary || c.role === "admin" || c.role === "technical_lead");
  const rank = { starter: 0, standard: 1, professional: 2, enterprise: 3 }[account.tier];
  const planned: { code: string; at: number; format: DemoTrainingSession["session_format"]; who: DemoContact[] }[] = [];

  if (onboarding.admin !== null && onboarding.admin < nowMs) {
    planned.push({ code: "DEMO-FND-101", at: onboarding.admin, format: rng.chance(0.6) ? "virtual" : "live", who: admins });
    if (rank >= 2) planned.push({ code: "DEMO-ADM-210", at: onboarding.admin + rng.int(1, 6) * DAY, format: "virtual", who: admins });
  }
  if (onboarding.end_user !== null) planned.push({ code: "DEMO-FND-102", at: onboarding.end_user, format: "workshop", who: [...contacts] });
  // Later training over the last year: more for larger tiers and champions, less for churners.
  const rate = (0.4 + 0.5 * rank) * (account.profile === "champion" ? 1.6 : account.profile === "churner" || account.profile === "churned" ? 0.5 : 1);
  for (let k = rng.poisson(rate); k > 0; k--) {
    const code = rng.weighted<string>([["DEMO-FND-101", 2], ["DEMO-FND-102", 3], ["DEMO-ADV-201", rank >= 1 ? 2 : 0], ["DEMO-ADV-202", rank >= 1 ? 2 : 0], ["DEMO-ADM-210", rank >= 2 ? 1 : 0], ["DEMO-EXP-301", rank >= 2 ? 1 : 0]]);
    const at = Math.max(created + 20 * DAY, today - 365 * DAY) + Math.floor(rng.float() * 365 * DAY);
    planned.push({ code, at, format: rng.pick(["live", "virtual", "self_paced", "workshop"] as const), who: pickSome(rng, contacts, rng.int(1, Math.min(4, contacts.length))) });
  }

  const results = new Map<string, ResultState>(); // user|module
  const skill = account.profile === "champion" ? 12 : account.profile === "churner" || account.profile === "churned" ? -10 : 0;
  // One session per module and hour: two draws for the same hour would break the table's unique key.
  const held = new Set<string>();
  for (const p of planned) {
    const m = modules.get(p.code) as DemoTrainingModule;
    // Sessions during business hours, on or before the day they are dated.
    const at = utcMidnight(p.at) + rng.int(14, 19) * HOUR;
    if (at <= created || at >= end || at >= nowMs - HOUR || p.who.length === 0 || held.has(`${m.id}|${at}`)) continue;
    held.add(`${m.id}|${at}`);
    const duration = p.format === "workshop" ? m.duration_minutes + 30 : m.duration_minutes;
    const sessionId = uuid7(at, rng);
    out.training_sessions.push({ id: sessionId, account_id: account.id, module_id: m.id, session_format: p.format, session_date: new Date(at), duration_minutes: duration, created_at: new Date(Math.min(nowMs - MINUTE, at + duration * MINUTE + rng.int(1, 24) * HOUR)) });
    const finished = at + duration * MINUTE;
    for (const c of p.who) {
      if (c.created_at.getTime() > at) continue;
      const noShow = rng.chance(0.08);
      out.training_completions.push({ id: uuid7(finished, rng), account_id: account.id, module_id: m.id, session_id: sessionId, user_email: c.email, status: noShow ? "no_show" : "attended", score: null, attempt: 1, completed_at: new Date(finished) });
      if (noShow || !rng.chance(account.profile === "champion" ? 0.8 : account.profile === "healthy" ? 0.6 : 0.35)) continue;
      // Assessment attempts after the session, within max_attempts, none after a pass.
      const key = `${c.email}|${m.id}`;
      const state = results.get(key) ?? { attempts: 0, passed: false, best: null, first: Infinity, last: 0 };
      let when = finished + rng.int(1, 10) * DAY + rng.int(0, 8) * HOUR;
      let ability = rng.int(55, 92) + skill;
      while (!state.passed && state.attempts < m.max_attempts && when < Math.min(end, nowMs)) {
        const score = Math.max(0, Math.min(100, ability + rng.int(-8, 8)));
        const passed = score >= m.passing_score;
        state.attempts++;
        state.passed = passed;
        state.best = Math.max(state.best ?? 0, score);
        state.first = Math.min(state.first, when);
        state.last = when;
        out.training_completions.push({ id: uuid7(when, rng), account_id: account.id, module_id: m.id, session_id: null, user_email: c.email, status: passed ? "passed" : "failed", score, attempt: state.attempts, completed_at: new Date(when) });
        if (passed || !rng.chance(0.65)) break;
        ability += rng.int(3, 12);
        when += rng.int(5, 20) * DAY;
      }
      if (state.attempts > 0) results.set(key, state);
    }
  }

  // Certifications: a user with assessment results at a level is enrolled in that level (every module of
  // the level); the status follows the certification rules; some passed ones were issued.
  const users = new Set([...results.keys()].map((k) => k.split("|")[0] as string));
  for (const email of [...users].sort()) {
    for (const level of ["foundation", "advanced", "expert"] as const) {
      const levelModules = [...modules.values()].filter((m) => m.level === level);
      const states = levelModules.map((m) => ({ m, s: results.get(`${email}|${m.id}`) }));
      const taken = states.filter((x) => x.s !== undefined);
      if (!taken.length) continue;
      const first = Math.min(...taken.map((x) => x.s!.first));
      const lastPass = Math.max(...taken.map((x) => x.s!.last));
      const allPassed = states.every((x) => x.s?.passed);
      const exhausted = states.some((x) => x.s && !x.s.passed && x.s.attempts >= x.m.max_attempts);
      let status: DemoCertification["status"] = allPassed ? "passed" : exhausted ? "failed" : "enrolled";
      let issuedAt: number | null = null;
      if (status === "passed" && rng.chance(0.6)) {
        const at = lastPass + rng.int(1, 5) * DAY;
        if (at < Math.min(end, nowMs)) {
          status = "issued";
          issuedAt = at;
        }
      }
      const scored = taken.filter((x) => x.s!.best !== null);
      out.certifications.push({
        id: uuid7(first, rng),
        account_id: account.id,
        user_email: email,
        level,
        module_ids: levelModules.map((m) => m.id),
        status,
        attempts: taken.reduce((s, x) => s + x.s!.attempts, 0),
        best_score: scored.length ? Math.round(scored.reduce((s, x) => s + (x.s!.best as number), 0) / scored.length) : null,
        enrolled_at: new Date(first - rng.int(1, 48) * HOUR),
        issued_at: issuedAt === null ? null : new Date(issuedAt),
      });
    }
  }
}
