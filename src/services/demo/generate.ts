// The demo portfolio, generated from a seed: made-up companies with contacts, contracts, invoices, a
// year of product usage, support tickets and survey answers. Pure and deterministic: the same seed,
// account count and `now` give the same rows (a seeded PRNG, no Math.random, no clock). Every date is
// computed relative to `now`. Each account draws from its own PRNG streams (seed × index × purpose), so
// account n is the same whether 20 or 200 accounts are generated.
//
// Four profiles shape the data: "healthy" (most), "champion" (growing usage and seats, promoters),
// "churner" (usage falling over the last 60–90 days, more and worse tickets, detractor NPS) and
// "churned" (left within the last six months; usage stops at the churn date).
//
// Once the accounts exist, generate-support.ts (agents, ticket queue, escalations, knowledge base),
// generate-onboarding.ts (plans, training, certifications), generate-programs.ts (executive reviews,
// advocates, communities, newsletters, a campaign) and generate-feedback.ts add what the other toolsets
// work on, from their own streams (random.ts), following the same profiles.
import { companyKey, slugify } from "../client-ids.ts";
import type { LIFECYCLE_STAGES, TIERS } from "../../security/validation.ts";
import { DAY, GLOBAL_STREAM_INDEX, HOUR, MINUTE, Rng, addMonths, hash32, money, utcMidnight, uuid7, type DemoStreams } from "./random.ts";
import { SUPPORT_AGENTS, generateSupport, type DemoSupportData } from "./generate-support.ts";
import { generateOnboarding, type DemoOnboardingData } from "./generate-onboarding.ts";
import { generatePrograms, type DemoProgramsData } from "./generate-programs.ts";
import { generateFeedback, type DemoFeedbackData } from "./generate-feedback.ts";
import { demoSettings, type DemoSettings } from "./settings.ts";
export { mulberry32 } from "./random.ts";

export type DemoTier = (typeof TIERS)[number];
export type DemoStage = (typeof LIFECYCLE_STAGES)[number];
export type DemoProfile = "healthy" | "champion" | "churner" | "churned";
export type DemoPriority = "P1" | "P2" | "P3" | "P4";
export type DemoTicketStatus = "open" | "pending" | "in_progress" | "resolved" | "closed";

export const DEMO_DEFAULT_SEED = 42;
export const DEMO_DEFAULT_ACCOUNTS = 200;
/** At most this many accounts: enough for benchmarking a large portfolio (loaded part by part, see generateDemoParts). */
export const DEMO_MAX_ACCOUNTS = 200_000;
/** The first accounts get the whole demo (support desk, onboarding, programs, feedback); the rest the core portfolio. */
export const DEMO_FULL_ACCOUNTS = 5_000;
/** Accounts per part of the core rows: bounds the rows held in memory at once (usage events above all). */
export const DEMO_PART_ACCOUNTS = 500;
const DEFAULT_PARTS = { fullAccounts: DEMO_FULL_ACCOUNTS, partAccounts: DEMO_PART_ACCOUNTS };
/** Resolution targets in minutes per priority (DOMAIN.md); first response is 15 minutes for all. */
export const RESOLUTION_TARGET_MINUTES: Record<DemoPriority, number> = { P1: 240, P2: 480, P3: 1440, P4: 2880 };
export const FIRST_RESPONSE_TARGET_MINUTES = 15;

export interface GenerateOptions {
  seed: number;
  accounts: number;
  now: Date;
  /** The rules the generated programs follow (default: the documented defaults). */
  settings?: DemoSettings;
  /** How generateDemoParts splits the portfolio (default DEMO_FULL_ACCOUNTS, DEMO_PART_ACCOUNTS); tests make them small. */
  parts?: { fullAccounts: number; partAccounts: number };
}

export interface DemoAccount {
  id: string;
  client_name: string;
  company_name: string;
  company_key: string;
  external_id: string;
  industry: string;
  tier: DemoTier;
  lifecycle_stage: DemoStage;
  status: "active" | "churned";
  arr: string;
  currency: string;
  seats: number;
  primary_contact_email: string;
  primary_contact_name: string;
  csm_name: string;
  csm_email: string;
  churned_at: Date | null;
  churn_reason: string | null;
  created_at: Date;
  /** Not a column: how this account was simulated (for tests and documentation). */
  profile: DemoProfile;
}

export interface DemoContact {
  id: string;
  account_id: string;
  email: string;
  name: string;
  role: string;
  phone: string | null;
  is_primary: boolean;
  created_at: Date;
}

export interface DemoContract {
  id: string;
  account_id: string;
  contract_value: string;
  currency: string;
  billing_frequency: "monthly" | "quarterly" | "annual";
  start_date: Date;
  end_date: Date;
  renewal_date: Date;
  auto_renew: boolean;
  notice_period_days: number;
  payment_status: "current" | "overdue" | "failed";
  seats: number;
  products: string[];
  add_ons: string[];
  discount_percent: string;
  status: "active" | "expired" | "cancelled" | "renewed";
  created_at: Date;
}

export interface DemoInvoice {
  id: string;
  account_id: string;
  external_id: string;
  amount: string;
  currency: string;
  issued_at: Date;
  due_date: Date;
  paid_at: Date | null;
  created_at: Date;
}

/** Usage events, column-wise (there are many): row i is (account_id[i], user_id[i], ...). */
export interface DemoUsageEvents {
  account_id: string[];
  user_id: string[];
  event: string[];
  feature: (string | null)[];
  /** Epoch milliseconds. */
  occurred_at: number[];
}

export interface DemoTicket {
  id: string;
  account_id: string;
  subject: string;
  description: string;
  priority: DemoPriority;
  category: string;
  status: DemoTicketStatus;
  requester_email: string;
  /** The agent's name (support_agents.name); null while a new ticket waits in the queue for route_tickets. */
  assigned_agent: string | null;
  team: string | null;
  tags: string[];
  satisfaction_rating: number | null;
  escalated: boolean;
  escalated_at: Date | null;
  first_response_due_at: Date;
  resolution_due_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DemoSurveyResponse {
  id: string;
  account_id: string;
  survey_type: "nps" | "csat";
  respondent_email: string;
  score: number;
  reason: string | null;
  responded_at: Date;
  /** The feedback row holding the answer's comment (generate-feedback.ts), as collect_feedback links them. */
  feedback_id?: string | null;
}

export interface DemoTimelineEvent {
  id: string;
  account_id: string;
  event_type: string;
  summary: string;
  data: Record<string, unknown>;
  occurred_at: Date;
}

export interface DemoLifecycleTransition {
  id: string;
  account_id: string;
  from_stage: DemoStage | null;
  to_stage: DemoStage;
  reason: string;
  transitioned_at: Date;
}

/** Accounts and what hangs directly off them; the support desk, programs and feedback build on it. */
export interface DemoCoreData {
  seed: number;
  now: Date;
  accounts: DemoAccount[];
  contacts: DemoContact[];
  contracts: DemoContract[];
  invoices: DemoInvoice[];
  usage_events: DemoUsageEvents;
  tickets: DemoTicket[];
  survey_responses: DemoSurveyResponse[];
  timeline_events: DemoTimelineEvent[];
  lifecycle_transitions: DemoLifecycleTransition[];
}

export interface DemoData extends DemoCoreData, DemoSupportData, DemoOnboardingData, DemoProgramsData, DemoFeedbackData {}

// Purposes of the per-account PRNG streams.
const S_ACCOUNT = 1;
const S_NAME = 2;
const S_CONTACTS = 3;
const S_CONTRACTS = 4;
const S_USAGE = 5;
const S_TICKETS = 6;
const S_SURVEYS = 7;
const S_IDS = 8;

// ------------------------------------------------------------------ word lists

const NAME_PREFIXES = [
  "North", "Blue", "Silver", "Bright", "Iron", "Red", "Green", "Clear", "Swift", "Stone", "Cedar", "Pine", "Oak",
  "River", "Summit", "Harbor", "Golden", "Crystal", "Lumen", "Nova", "Vertex", "Apex", "Quantum", "Atlas", "Orbit",
  "Pioneer", "Sterling", "Cobalt", "Aurora", "Evergreen", "Granite", "Maple", "Falcon", "Horizon", "Meridian",
  "Beacon", "Copper", "Crimson", "Echo", "Polar", "Sun", "Wild", "Zen", "Terra", "Vista", "True", "High", "Black",
  "Fox", "Lake",
] as const;
const NAME_ROOTS = [
  "wind", "field", "stone", "bridge", "point", "path", "gate", "crest", "line", "light", "works", "wave", "forge",
  "leaf", "ridge", "brook", "spark", "peak", "core", "shore", "mark", "view", "way", "dale", "port", "mint", "grove",
  "hill", "bay", "stack",
] as const;
// Each sector word hints at an industry (null: any industry).
const NAME_SECTORS: readonly (readonly [string, string | null])[] = [
  ["Analytics", "Technology"], ["Logistics", "Logistics"], ["Health", "Healthcare"], ["Labs", null],
  ["Systems", "Technology"], ["Software", "Technology"], ["Dynamics", null], ["Partners", "Professional Services"],
  ["Solutions", null], ["Networks", "Telecommunications"], ["Foods", "Retail"], ["Energy", "Energy"],
  ["Capital", "Financial Services"], ["Media", "Media"], ["Robotics", "Manufacturing"], ["Learning", "Education"],
  ["Outfitters", "Retail"], ["Manufacturing", "Manufacturing"], ["Insurance", "Insurance"], ["Biotech", "Healthcare"],
  ["Retail", "Retail"], ["Studios", "Media"], ["Security", "Technology"], ["Mobility", "Logistics"],
  ["Cloud", "Technology"], ["Data", "Technology"], ["Financial", "Financial Services"], ["Telecom", "Telecommunications"],
  ["Holdings", null], ["Group", null], ["Interactive", "Media"], ["Materials", "Manufacturing"],
  ["Pharma", "Healthcare"], ["Travel", "Hospitality"], ["Realty", "Real Estate"], ["Consulting", "Professional Services"],
  ["Engineering", "Manufacturing"], ["Logic", "Technology"], ["Metrics", "Technology"], ["Ventures", null],
];
const INDUSTRIES = [
  "Technology", "Healthcare", "Financial Services", "Retail", "Manufacturing", "Education", "Logistics", "Media",
  "Real Estate", "Energy", "Insurance", "Hospitality", "Telecommunications", "Professional Services", "Nonprofit",
] as const;
const FIRST_NAMES = [
  "Ava", "Liam", "Maya", "Noah", "Sofia", "Ethan", "Priya", "Lucas", "Chloe", "Mateo", "Hannah", "Omar", "Grace",
  "Daniel", "Aisha", "Leo", "Emma", "Ravi", "Isla", "Jonas", "Mei", "Carlos", "Zoe", "Felix", "Nora", "Samuel",
  "Lena", "Diego", "Yuki", "Theo", "Amara", "Ben", "Elena", "Kofi", "Julia", "Marcus", "Ines", "Victor", "Rosa", "Adam",
] as const;
const LAST_NAMES = [
  "Chen", "Patel", "Garcia", "Kim", "Nguyen", "Smith", "Müller", "Rossi", "Johnson", "Okafor", "Silva", "Cohen",
  "Larsen", "Novak", "Brown", "Tanaka", "Lopez", "Singh", "Dubois", "Walker", "Haddad", "Kowalski", "Murphy",
  "Andersen", "Ito", "Moreau", "Reyes", "Schmidt", "Taylor", "Wright", "Ahmed", "Costa", "Fischer", "Hughes", "Ivanova",
  "Jensen", "Klein", "Martins", "O'Brien", "Park",
] as const;
const CSMS = [
  { name: "Maya Chen", email: "maya.chen@cs-team.example" },
  { name: "Jordan Ellis", email: "jordan.ellis@cs-team.example" },
  { name: "Priya Raman", email: "priya.raman@cs-team.example" },
  { name: "Tomás Herrera", email: "tomas.herrera@cs-team.example" },
  { name: "Hannah Becker", email: "hannah.becker@cs-team.example" },
  { name: "Kwame Mensah", email: "kwame.mensah@cs-team.example" },
] as const;
// Starter accounts are served by a pooled ("scale") team.
const SCALE_CSMS = [
  { name: "Scale Team East", email: "scale-east@cs-team.example" },
  { name: "Scale Team West", email: "scale-west@cs-team.example" },
] as const;
// The support team (the roster, with emails, skills and caps, is in generate-support.ts). The ticket history
// names its agent by name, as a helpdesk import does; routing and performance match a name to the stored
// agent with exactly that name (repositories/support-agents.ts), and route_tickets itself writes emails.
const AGENTS = SUPPORT_AGENTS.filter((a) => a.tickets).map((a) => [a.name, a.team] as const);
const CONTACT_ROLES = ["executive_sponsor", "admin", "billing", "technical_lead", "champion", "end_user"] as const;
const CHURN_REASONS = ["budget cuts", "switched to a competitor", "low adoption", "acquired by another company", "product no longer fits"] as const;

const TIER_PROFILE: Record<DemoTier, {
  weight: number;
  arr: [number, number];
  seats: [number, number];
  tickets_per_year: number;
  billing: readonly (readonly ["monthly" | "quarterly" | "annual", number])[];
  auto_renew: number;
  notice: readonly number[];
  discounts: readonly number[];
  products: readonly string[];
}> = {
  starter: {
    weight: 0.35, arr: [2_400, 12_000], seats: [3, 10], tickets_per_year: 3,
    billing: [["monthly", 0.75], ["annual", 0.25]], auto_renew: 0.75, notice: [30], discounts: [0],
    products: ["platform"],
  },
  standard: {
    weight: 0.3, arr: [12_000, 45_000], seats: [8, 30], tickets_per_year: 5,
    billing: [["monthly", 0.4], ["quarterly", 0.35], ["annual", 0.25]], auto_renew: 0.5, notice: [30, 60], discounts: [0, 0, 5],
    products: ["platform", "analytics"],
  },
  professional: {
    weight: 0.22, arr: [45_000, 150_000], seats: [25, 70], tickets_per_year: 8,
    billing: [["quarterly", 0.45], ["annual", 0.55]], auto_renew: 0.3, notice: [60], discounts: [0, 5, 10],
    products: ["platform", "analytics", "automation"],
  },
  enterprise: {
    weight: 0.13, arr: [150_000, 600_000], seats: [60, 180], tickets_per_year: 14,
    billing: [["annual", 0.8], ["quarterly", 0.2]], auto_renew: 0.15, notice: [60, 90, 90], discounts: [5, 10, 15, 20],
    products: ["platform", "analytics", "automation", "api_access", "sso"],
  },
};
const ADD_ONS = ["premium_support", "sandbox", "extra_storage", "training_credits", "data_retention_plus"] as const;

// Features and how popular they are; `min` is the lowest tier that has the feature.
const FEATURES: readonly { name: string; weight: number; min: number }[] = [
  { name: "dashboards", weight: 10, min: 0 },
  { name: "reports", weight: 8, min: 0 },
  { name: "search", weight: 6, min: 0 },
  { name: "collaboration", weight: 5, min: 0 },
  { name: "alerts", weight: 4, min: 0 },
  { name: "mobile_app", weight: 3, min: 0 },
  { name: "data_import", weight: 2, min: 0 },
  { name: "custom_fields", weight: 3, min: 1 },
  { name: "workflows", weight: 5, min: 1 },
  { name: "integrations", weight: 3, min: 1 },
  { name: "automation_rules", weight: 4, min: 2 },
  { name: "api", weight: 4, min: 2 },
  { name: "admin_console", weight: 2, min: 0 },
  { name: "sso", weight: 1, min: 3 },
];
const TIER_RANK: Record<DemoTier, number> = { starter: 0, standard: 1, professional: 2, enterprise: 3 };

const TICKET_SUBJECTS: Record<string, readonly string[]> = {
  technical: [
    "Dashboard not loading for some users", "Slow performance when filtering large reports",
    "Error 500 when saving a workflow", "Data sync delayed by several hours", "Users unable to log in via SSO",
    "Charts show incorrect totals",
  ],
  bug: ["Export to CSV drops the last column", "Notification emails sent twice", "Date filter ignores time zone", "Mobile app crashes on launch"],
  how_to: [
    "How do we set up role-based permissions?", "How to schedule a weekly report", "Question about custom fields",
    "How to bulk import users", "Best practice for sharing dashboards",
  ],
  billing: ["Invoice amount does not match the contract", "Update the billing contact", "Request for tax documentation", "Question about seat true-up charges", "Payment method update"],
  integration: ["Salesforce sync failing", "Slack notifications stopped", "API rate limit errors", "Webhook deliveries timing out", "HubSpot field mapping question"],
  feature_request: ["Request: export dashboards to PDF", "Request: audit log retention settings", "Request: more granular API scopes", "Request: bulk edit for records"],
  account: ["Add a new admin user", "Transfer account ownership", "Request to increase seat count", "Deactivate departed employees"],
};
const TICKET_TEAMS: Record<string, string> = {
  technical: "Technical Support", bug: "Technical Support", how_to: "Onboarding", billing: "Billing",
  integration: "Integrations", feature_request: "Technical Support", account: "Onboarding",
};
const NPS_REASONS = {
  promoter: [
    "Saves our team hours every week", "Great support team", "The dashboards are exactly what leadership needs",
    "Easy to roll out to new users", "Integrations just work", "Reliable and fast",
  ],
  passive: [
    "Good product, a few missing features", "Reporting could be more flexible", "Pricing is a bit high for what we use",
    "Onboarding new users takes effort", "Works well but the interface feels dated",
  ],
  detractor: [
    "Too many bugs lately", "Support response times are slow", "Our team stopped using it", "Missing integrations we need",
    "Too expensive for the value we get", "Performance problems with large data sets", "Hard to learn for new staff",
  ],
} as const;
const CSAT_REASONS = {
  high: ["Quick and helpful", "The onboarding session was useful", "Issue solved on first contact", "Clear answers from the team"],
  low: ["Took too long to resolve", "Had to explain the problem several times", "Still not solved", "Answer did not help"],
} as const;

// ------------------------------------------------------------------ generation

/** Checks options; throws an Error naming the rule a value broke. */
export function validateGenerateOptions(opts: GenerateOptions): void {
  if (!Number.isSafeInteger(opts.seed)) throw new Error("demo seed: must be an integer");
  if (!Number.isInteger(opts.accounts) || opts.accounts < 1 || opts.accounts > DEMO_MAX_ACCOUNTS) {
    throw new Error(`demo accounts: must be an integer from 1 to ${DEMO_MAX_ACCOUNTS}`);
  }
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime())) throw new Error("demo now: must be a valid Date");
  const p = opts.parts;
  if (p && !(Number.isInteger(p.fullAccounts) && p.fullAccounts >= 1 && Number.isInteger(p.partAccounts) && p.partAccounts >= 1)) {
    throw new Error("demo parts: fullAccounts and partAccounts must be whole numbers from 1");
  }
}

function seedParts(seed: number): [number, number] {
  return [seed >>> 0, Math.floor(seed / 4294967296) >>> 0];
}

/**
 * The demo in parts, for loading a large portfolio with bounded memory: every part holds some of the
 * rows, the parts together are exactly the demo's rows, and writing them in order respects every foreign
 * key. The first min(accounts, DEMO_FULL_ACCOUNTS) accounts get the whole demo: their core rows come in
 * parts of DEMO_PART_ACCOUNTS accounts, except tickets and survey answers, which come with the support
 * desk and feedback in a part after them, followed by a part of onboarding and one of programs (see
 * fullParts; those generators read accounts, contacts, tickets and answers, and add queue tickets and
 * feedback links). Accounts above that get the
 * core portfolio only (contacts, contracts, invoices, usage, tickets, surveys, timeline, lifecycle), in
 * parts of DEMO_PART_ACCOUNTS. Account n is the same whatever the account count.
 */
export function* generateDemoParts(opts: GenerateOptions): Generator<DemoData> {
  validateGenerateOptions(opts);
  const [seedLo, seedHi] = seedParts(opts.seed);
  const stream = (index: number, purpose: number) => new Rng(hash32(seedLo, seedHi, index, purpose));
  const nowMs = opts.now.getTime();
  const today = utcMidnight(nowMs);
  // Client ids: cs_<10 digits fixed by the seed and the account's index>_<slug>. Not tied to `now`, so
  // the same seed gives the same ids on every day.
  const idBase = 1_600_000_000 + (hash32(seedLo, seedHi, 0xc11e) % 9_000) * 10_000;
  // Company names stay unique over the whole portfolio: the only state carried from part to part.
  const usedNames = new Set<string>();
  const core = (from: number, to: number): DemoCoreData => {
    const data = emptyCore(opts.seed, nowMs);
    for (let i = from; i < to; i++) {
      const ctx: AccountContext = { index: i, nowMs, today, ids: stream(i, S_IDS), stream: (purpose) => stream(i, purpose) };
      generateAccount(ctx, idBase + i + 1, usedNames, data);
    }
    return data;
  };
  const streams: DemoStreams = { nowMs, today, account: stream, global: (purpose) => stream(GLOBAL_STREAM_INDEX, purpose) };
  const settings = demoSettings(opts.settings);

  const { fullAccounts, partAccounts } = opts.parts ?? DEFAULT_PARTS;
  // A generator of its own, so that what it keeps (the first accounts' rows the extras read) is released
  // once its last part is written, before the core-only parts that follow.
  yield* fullParts(Math.min(opts.accounts, fullAccounts), partAccounts, core, streams, settings, emptyCore(opts.seed, nowMs));
  for (let from = Math.min(opts.accounts, fullAccounts); from < opts.accounts; from += partAccounts) {
    yield { ...core(from, Math.min(opts.accounts, from + partAccounts)), ...emptyExtras() };
  }
}

/**
 * The first `full` accounts' parts: their core rows in parts of `partAccounts` (tickets and survey answers
 * held back), then the extras in EXTRAS_PARTS parts, each generated just before it is written and dropped
 * after, in the order they always had (support desk, feedback, onboarding, programs: each generator sees
 * the rows the earlier ones added, so the data is the same as when they all came in one part): 1. the
 * tickets (with the support desk's queue tickets) and survey answers (linked to their feedback), the support
 * desk and the feedback; 2. onboarding and training; 3. customer programs. Nothing after the first reads
 * the tickets, so they go with it.
 */
function* fullParts(
  full: number,
  partAccounts: number,
  core: (from: number, to: number) => DemoCoreData,
  streams: DemoStreams,
  settings: DemoSettings,
  kept: DemoCoreData,
): Generator<DemoData> {
  for (let from = 0; from < full; from += partAccounts) {
    const part = core(from, Math.min(full, from + partAccounts));
    kept.accounts.push(...part.accounts);
    kept.contacts.push(...part.contacts);
    kept.tickets.push(...part.tickets);
    kept.survey_responses.push(...part.survey_responses);
    yield { ...part, tickets: [], survey_responses: [], ...emptyExtras() };
  }
  // Each part is built in the yield expression, so the generator holds no reference to it once it is written.
  yield supportAndFeedback(kept, streams);
  kept.tickets = [];
  yield { ...noCore(kept), ...generateOnboarding(kept, streams, settings) };
  yield { ...noCore(kept), ...generatePrograms(kept, streams, settings) };
}

/** The first extras part: the held-back tickets and survey answers with the support desk and the feedback (generated in that order). */
function supportAndFeedback(kept: DemoCoreData, streams: DemoStreams): DemoData {
  const support = generateSupport(kept, streams);
  const feedback = generateFeedback(kept, streams);
  return { ...noCore(kept), tickets: kept.tickets, survey_responses: kept.survey_responses, ...support, ...feedback };
}

/** A part with no core rows and no extras (the extras parts fill in their own tables). */
const noCore = (like: DemoCoreData): DemoData => ({ ...emptyCore(like.seed, like.now.getTime()), ...emptyExtras() });

/** Parts of the extras that fullParts yields after the first accounts' core parts. */
const EXTRAS_PARTS = 3;

/** How many parts generateDemoParts yields for `accounts` accounts. */
export function demoPartCount(accounts: number, parts: GenerateOptions["parts"] = DEFAULT_PARTS): number {
  const full = Math.min(accounts, parts.fullAccounts);
  return Math.ceil(full / parts.partAccounts) + EXTRAS_PARTS + Math.ceil((accounts - full) / parts.partAccounts);
}

function emptyCore(seed: number, nowMs: number): DemoCoreData {
  return {
    seed,
    now: new Date(nowMs),
    accounts: [],
    contacts: [],
    contracts: [],
    invoices: [],
    usage_events: { account_id: [], user_id: [], event: [], feature: [], occurred_at: [] },
    tickets: [],
    survey_responses: [],
    timeline_events: [],
    lifecycle_transitions: [],
  };
}

function emptyExtras(): Omit<DemoData, keyof DemoCoreData> {
  return {
    support_agents: [], escalations: [], kb_articles: [], kb_article_versions: [], kb_article_votes: [],
    onboarding_plans: [], onboarding_milestones: [], onboarding_tasks: [], training_modules: [], training_sessions: [],
    training_completions: [], certifications: [], feedback: [], executive_reviews: [], advocates: [], advocate_contributions: [],
    communities: [], community_members: [], community_posts: [], newsletters: [], newsletter_subscriptions: [],
    email_campaigns: [], email_sends: [], email_events: [],
  };
}

/** The whole demo in memory (generateDemoParts joined): for small portfolios and tests; loadDemo writes part by part. */
export function generateDemo(opts: GenerateOptions): DemoData {
  let whole: DemoData | undefined;
  for (const part of generateDemoParts(opts)) whole = whole ? joinParts(whole, part) : part;
  return whole as DemoData;
}

/** `a` with `b`'s rows appended, table by table (usage events column by column). */
function joinParts(a: DemoData, b: DemoData): DemoData {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const mine = (a as unknown as Record<string, unknown>)[k];
    if (Array.isArray(v)) out[k] = [...(mine as unknown[]), ...v];
  }
  const ue = a.usage_events;
  const more = b.usage_events;
  out.usage_events = {
    account_id: [...ue.account_id, ...more.account_id],
    user_id: [...ue.user_id, ...more.user_id],
    event: [...ue.event, ...more.event],
    feature: [...ue.feature, ...more.feature],
    occurred_at: [...ue.occurred_at, ...more.occurred_at],
  };
  return out as unknown as DemoData;
}

interface AccountContext {
  index: number;
  nowMs: number;
  today: number;
  ids: Rng;
  stream(purpose: number): Rng;
}

function companyName(rng: Rng, used: Set<string>, index: number): { name: string; sectorIndustry: string | null } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const [sector, industry] = rng.pick(NAME_SECTORS);
    const prefix = rng.pick(NAME_PREFIXES);
    const name = rng.chance(0.7) ? `${prefix}${rng.pick(NAME_ROOTS)} ${sector}` : `${prefix} ${sector}`;
    const key = companyKey(name);
    if (!used.has(key)) {
      used.add(key);
      return { name, sectorIndustry: industry };
    }
  }
  const name = `${rng.pick(NAME_PREFIXES)}${rng.pick(NAME_ROOTS)} Company ${index + 1}`;
  used.add(companyKey(name));
  return { name, sectorIndustry: null };
}

function personEmail(first: string, last: string, domain: string, n = 1): string {
  const local = `${first}.${last}`
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z.]/g, "");
  return `${local}${n > 1 ? n : ""}@${domain}`;
}

function generateAccount(ctx: AccountContext, idDigits: number, usedNames: Set<string>, out: DemoCoreData): void {
  const { nowMs, today, ids } = ctx;
  const rng = ctx.stream(S_ACCOUNT);

  // --- who the account is
  const { name, sectorIndustry } = companyName(ctx.stream(S_NAME), usedNames, ctx.index);
  const slug = slugify(name);
  const id = `cs_${idDigits}_${slug}`;
  const domain = `${slug.replace(/_/g, "-")}.example`;
  const tier = rng.weighted(
    (Object.keys(TIER_PROFILE) as DemoTier[]).map((t) => [t, TIER_PROFILE[t].weight] as const),
  );
  const tp = TIER_PROFILE[tier];
  const industry = sectorIndustry && rng.chance(0.8) ? sectorIndustry : rng.pick(INDUSTRIES);
  const profile = rng.weighted<DemoProfile>([["healthy", 0.69], ["champion", 0.12], ["churner", 0.15], ["churned", 0.04]]);

  // --- when it started (and, for churned accounts, ended): contracts run a year from the anniversary
  let createdDaysAgo: number;
  let churnDaysAgo: number | null = null;
  if (profile === "churned") {
    churnDaysAgo = rng.int(10, 180);
    createdDaysAgo = churnDaysAgo + (rng.chance(0.6) ? 365 : 730);
  } else if (profile === "churner") createdDaysAgo = rng.int(150, 1095);
  else if (profile === "champion") createdDaysAgo = rng.int(200, 1095);
  else createdDaysAgo = rng.chance(0.1) ? rng.int(5, 60) : rng.int(61, 1095);
  const createdDay = today - createdDaysAgo * DAY;
  const createdAt = createdDay + Math.floor(rng.between(13, 21) * HOUR) + rng.int(0, 59) * MINUTE;
  const churnedAt = churnDaysAgo === null ? null : today - churnDaysAgo * DAY + Math.floor(rng.between(14, 20) * HOUR);

  // --- size and money: one draw places the account inside its tier, so seats and ARR move together
  const u = rng.float();
  const seats = Math.max(1, Math.round(tp.seats[0] * Math.pow(tp.seats[1] / tp.seats[0], Math.min(1, Math.max(0, u + rng.between(-0.1, 0.1))))));
  const discount = rng.pick(tp.discounts);
  const listArr = tp.arr[0] * Math.pow(tp.arr[1] / tp.arr[0], u);
  const arr = Math.round((listArr * (1 - discount / 100)) / 10) * 10;

  const csm = tier === "starter" ? rng.pick(SCALE_CSMS) : rng.pick(CSMS);

  // --- contacts: the primary plus 1–5 more
  const crng = ctx.stream(S_CONTACTS);
  const contacts: DemoContact[] = [];
  const emails = new Set<string>();
  const nContacts = 1 + crng.int(1, tier === "starter" ? 2 : tier === "standard" ? 3 : 5);
  const roles = [...CONTACT_ROLES];
  for (let c = 0; c < nContacts; c++) {
    const first = crng.pick(FIRST_NAMES);
    const last = crng.pick(LAST_NAMES);
    let email = personEmail(first, last, domain);
    for (let n = 2; emails.has(email); n++) email = personEmail(first, last, domain, n);
    emails.add(email);
    const isPrimary = c === 0;
    const role = isPrimary ? "primary" : (roles.splice(crng.int(0, roles.length - 1), 1)[0] ?? "end_user");
    const joined = isPrimary ? createdAt : createdAt + Math.floor(crng.float() * Math.min(createdDaysAgo, 400)) * DAY;
    contacts.push({
      id: uuid7(joined, ids),
      account_id: id,
      email,
      name: `${first} ${last}`,
      role,
      phone: crng.chance(0.6) ? `+1-555-01${String(crng.int(0, 99)).padStart(2, "0")}` : null,
      is_primary: isPrimary,
      created_at: new Date(joined),
    });
  }
  const primary = contacts[0] as DemoContact;

  // --- contracts: the one in force (or the last one, for churned accounts) and the one before it
  const krng = ctx.stream(S_CONTRACTS);
  const billing = krng.weighted(tp.billing);
  const autoRenew = krng.chance(profile === "churner" ? tp.auto_renew * 0.6 : tp.auto_renew);
  const notice = krng.pick(tp.notice);
  let paymentStatus: "current" | "overdue" | "failed" =
    profile === "churner"
      ? krng.weighted<"current" | "overdue" | "failed">([["current", 0.62], ["overdue", 0.3], ["failed", 0.08]])
      : profile === "churned"
        ? "current"
        : krng.weighted<"current" | "overdue" | "failed">([["current", 0.95], ["overdue", 0.04], ["failed", 0.01]]);
  const products = [...tp.products];
  const addOns = ADD_ONS.filter(() => krng.chance(tier === "starter" ? 0.08 : tier === "enterprise" ? 0.45 : 0.2));
  const createdDate = new Date(createdDay);
  const lastDayInForce = churnedAt === null ? today : utcMidnight(churnedAt) - DAY;
  let years = 0;
  while (addMonths(createdDate, 12 * (years + 1)).getTime() <= lastDayInForce) years++;
  const curStart = addMonths(createdDate, 12 * years);
  const curEnd = addMonths(createdDate, 12 * (years + 1));
  const contracts: DemoContract[] = [];
  const growth = profile === "champion" ? krng.between(1.1, 1.4) : profile === "churner" ? krng.between(0.95, 1.08) : krng.between(0.97, 1.15);
  if (years > 0) {
    const prevStart = addMonths(createdDate, 12 * (years - 1));
    contracts.push({
      id: uuid7(prevStart.getTime(), ids),
      account_id: id,
      contract_value: money(Math.round(arr / growth / 10) * 10),
      currency: "USD",
      billing_frequency: billing,
      start_date: prevStart,
      end_date: curStart,
      renewal_date: curStart,
      auto_renew: autoRenew,
      notice_period_days: notice,
      payment_status: "current",
      seats: Math.max(1, Math.round(seats / growth)),
      products,
      add_ons: addOns,
      discount_percent: money(discount),
      status: "renewed",
      created_at: new Date(prevStart.getTime() - krng.int(3, 20) * DAY + 15 * HOUR),
    });
  }
  const current: DemoContract = {
    id: uuid7(curStart.getTime(), ids),
    account_id: id,
    contract_value: money(arr),
    currency: "USD",
    billing_frequency: billing,
    start_date: curStart,
    end_date: churnedAt === null ? curEnd : new Date(utcMidnight(churnedAt)),
    renewal_date: churnedAt === null ? curEnd : new Date(utcMidnight(churnedAt)),
    auto_renew: churnedAt === null ? autoRenew : false,
    notice_period_days: notice,
    payment_status: paymentStatus,
    seats,
    products,
    add_ons: addOns,
    discount_percent: money(discount),
    status: churnedAt === null ? "active" : "cancelled",
    created_at: new Date(Math.max(createdAt, curStart.getTime() - krng.int(3, 20) * DAY + 15 * HOUR)),
  };
  contracts.push(current);
  const daysToRenewal = Math.round((curEnd.getTime() - today) / DAY);

  // --- invoices over the last year, per billing period of whichever contract covered it
  const invoices: DemoInvoice[] = [];
  const step = billing === "monthly" ? 1 : billing === "quarterly" ? 3 : 12;
  const yearAgo = today - 365 * DAY;
  for (const contract of contracts) {
    const value = Number(contract.contract_value);
    for (let k = 0; ; k++) {
      const issued = addMonths(contract.start_date, k * step);
      if (issued.getTime() >= contract.end_date.getTime() || issued.getTime() > today) break;
      if (issued.getTime() < yearAgo || issued.getTime() < createdDay) continue;
      const due = new Date(issued.getTime() + 30 * DAY);
      invoices.push({
        id: "",
        account_id: id,
        external_id: "",
        amount: money((value * step) / 12),
        currency: "USD",
        issued_at: issued,
        due_date: due,
        paid_at: null,
        created_at: new Date(issued.getTime() + 6 * HOUR),
      });
    }
  }
  invoices.sort((a, b) => a.issued_at.getTime() - b.issued_at.getTime());
  // Overdue / failed payment: the latest invoices past their due date stay unpaid.
  const pastDue = invoices.filter((inv) => inv.due_date.getTime() < today);
  if (pastDue.length === 0) paymentStatus = "current"; // nothing is due yet: nothing can be overdue
  current.payment_status = paymentStatus;
  const unpaid = new Set(paymentStatus === "overdue" ? pastDue.slice(-1) : paymentStatus === "failed" ? pastDue.slice(-2) : []);
  invoices.forEach((inv, n) => {
    inv.id = uuid7(inv.created_at.getTime(), ids);
    inv.external_id = `DEMO-INV-${String(ctx.index + 1).padStart(4, "0")}-${String(n + 1).padStart(3, "0")}`;
    if (unpaid.has(inv)) return;
    const late = krng.chance(profile === "churner" ? 0.3 : 0.08);
    const paid = inv.issued_at.getTime() + (late ? krng.int(31, 55) : krng.int(2, 29)) * DAY + krng.int(9 * 60, 17 * 60) * MINUTE;
    if (paid < nowMs) inv.paid_at = new Date(paid);
    else if (inv.due_date.getTime() < today) inv.paid_at = new Date(nowMs - krng.int(1, 36) * HOUR);
  });

  // --- lifecycle stage
  const tenureDays = createdDaysAgo;
  let stage: DemoStage;
  if (profile === "churned") stage = "churned";
  else if (tenureDays < 60) stage = "onboarding";
  else if (profile === "churner") stage = daysToRenewal <= 90 && rng.chance(0.3) ? "renewal" : "at_risk";
  else if (daysToRenewal <= 60) stage = "renewal";
  else if (tenureDays < 150) stage = "adoption";
  else if (profile === "champion") stage = rng.chance(0.6) ? "growth" : "maturity";
  else if (tenureDays < 365) stage = rng.chance(0.5) ? "adoption" : "growth";
  else stage = rng.chance(0.6) ? "maturity" : "growth";

  const account: DemoAccount = {
    id,
    client_name: name,
    company_name: name,
    company_key: companyKey(name),
    external_id: `DEMO-${String(ctx.index + 1).padStart(4, "0")}`,
    industry,
    tier,
    lifecycle_stage: stage,
    status: profile === "churned" ? "churned" : "active",
    arr: money(arr),
    currency: "USD",
    seats,
    primary_contact_email: primary.email,
    primary_contact_name: primary.name,
    csm_name: csm.name,
    csm_email: csm.email,
    churned_at: churnedAt === null ? null : new Date(churnedAt),
    churn_reason: churnedAt === null ? null : rng.pick(CHURN_REASONS),
    created_at: new Date(createdAt),
    profile,
  };
  // A churned account keeps the ARR of its cancelled contract (the ARR that was lost).

  // --- usage, tickets, surveys
  const declineDays = profile === "churner" ? rng.int(60, 90) : 0;
  generateUsage(ctx, account, createdAt, churnedAt, declineDays, out.usage_events);
  const tickets = generateTickets(ctx, account, contacts, createdAt, churnedAt, paymentStatus !== "current");
  const surveys = generateSurveys(ctx, account, contacts, createdAt, churnedAt, declineDays);

  out.accounts.push(account);
  out.contacts.push(...contacts);
  out.contracts.push(...contracts);
  out.invoices.push(...invoices);
  out.tickets.push(...tickets);
  out.survey_responses.push(...surveys);
  out.timeline_events.push({
    id: uuid7(createdAt, ids),
    account_id: id,
    event_type: "registered",
    summary: `Account registered (${tier})`,
    data: { source: "demo", tier },
    occurred_at: new Date(createdAt),
  });
  out.lifecycle_transitions.push({
    id: uuid7(createdAt, ids),
    account_id: id,
    from_stage: null,
    to_stage: stage,
    reason: "demo data",
    transitioned_at: new Date(createdAt),
  });
}

// ------------------------------------------------------------------ usage

function generateUsage(
  ctx: AccountContext,
  account: DemoAccount,
  createdAt: number,
  churnedAt: number | null,
  declineDays: number,
  out: DemoUsageEvents,
): void {
  const rng = ctx.stream(S_USAGE);
  const { nowMs, today } = ctx;
  const profile = account.profile;
  const rank = TIER_RANK[account.tier];
  const features = FEATURES.filter((f) => f.min <= rank).map((f) => [f.name, f.weight] as const);

  // Users: a share of the seats (utilisation), each with its own activity level and start date.
  const utilisation = profile === "champion" ? rng.between(0.8, 1) : profile === "healthy" ? rng.between(0.55, 0.9) : rng.between(0.45, 0.75);
  const nUsers = Math.max(1, Math.round(account.seats * utilisation));
  const users: { id: string; joined: number; activity: number; power: boolean }[] = [];
  for (let n = 0; n < nUsers; n++) {
    let joined = createdAt + rng.int(0, 45) * DAY; // onboarding rolls users out over the first weeks
    if (profile === "champion" && n >= nUsers * 0.7) joined = Math.max(joined, today - rng.int(20, 200) * DAY); // growth
    else if (rng.chance(0.08)) joined = Math.max(joined, today - rng.int(0, 365) * DAY); // turnover / new hires
    const power = rng.chance(0.2);
    users.push({
      id: `u_${ctx.index + 1}_${n + 1}`,
      joined,
      // active days per month
      activity: power ? rng.between(2.2, 3.6) : rng.between(0.45, 1.6),
      power,
    });
  }

  const firstDay = Math.max(today - 365 * DAY, utcMidnight(createdAt));
  const lastDay = churnedAt === null ? today : utcMidnight(churnedAt);
  const accountId = account.id;
  const push = (userId: string, event: string, feature: string | null, at: number) => {
    out.account_id.push(accountId);
    out.user_id.push(userId);
    out.event.push(event);
    out.feature.push(feature);
    out.occurred_at.push(at);
  };

  // Integrations connected: at onboarding, and (champions) during the year.
  const integrations = rng.int(rank === 0 ? 0 : 1, 1 + rank);
  const connectedAt = new Set<number>();
  for (let k = 0; k < integrations; k++) {
    const at = (profile === "champion" && k > 0 ? today - rng.int(10, 300) * DAY : createdAt + rng.int(1, 30) * DAY) + rng.int(0, 8 * 3_600_000);
    if (at < firstDay || at >= nowMs || (churnedAt !== null && at >= churnedAt) || connectedAt.has(at)) continue;
    connectedAt.add(at);
    push((users[0] as { id: string }).id, "integration_connected", "integrations", at);
  }

  for (let day = firstDay; day <= lastDay; day += DAY) {
    const daysAgo = Math.round((today - day) / DAY);
    const dow = new Date(day).getUTCDay();
    const weekday = dow === 0 || dow === 6 ? 0.25 : 1.3;
    let trend = 1;
    if (profile === "champion") trend = 0.75 + 0.5 * (1 - daysAgo / 365);
    else if (profile === "churner" && daysAgo < declineDays) trend = 1 - 0.8 * (1 - daysAgo / declineDays);
    else if (profile === "churned" && churnedAt !== null) {
      const toChurn = (churnedAt - day) / DAY;
      if (toChurn < 75) trend = Math.max(0.05, toChurn / 75);
    }
    const tenure = (day - createdAt) / DAY;
    const ramp = tenure < 21 ? 0.35 + (0.65 * Math.max(0, tenure)) / 21 : 1;
    for (const user of users) {
      if (user.joined > day + DAY) continue;
      if (!rng.chance((user.activity / 30) * weekday * trend * ramp)) continue;
      // One session on an active day: login, session start, a few features, sometimes a report.
      let t = day + Math.floor(rng.between(12.5, 22) * HOUR) + rng.int(0, 59_999);
      if (t <= user.joined || t >= nowMs || (churnedAt !== null && t >= churnedAt)) continue;
      if (rng.chance(0.45)) push(user.id, "login", null, t); // else a remembered session
      t += rng.int(1_000, 4_000);
      push(user.id, "session_start", null, t);
      const nFeatures = rng.poisson(user.power ? 1.3 : 0.6);
      for (let f = 0; f < nFeatures; f++) {
        t += rng.int(20_000, 900_000);
        const feature = rng.weighted(features);
        if (t < nowMs) push(user.id, "feature_used", feature, t);
      }
      if (rng.chance(user.power ? 0.12 : 0.04)) {
        t += rng.int(30_000, 600_000);
        if (t < nowMs) push(user.id, "report_exported", "reports", t);
      }
      if (user.power && rng.chance(0.02)) {
        t += rng.int(30_000, 300_000);
        if (t < nowMs) push(user.id, "user_invited", "admin_console", t);
      }
    }
  }
}

// ------------------------------------------------------------------ tickets

function generateTickets(
  ctx: AccountContext,
  account: DemoAccount,
  contacts: readonly DemoContact[],
  createdAt: number,
  churnedAt: number | null,
  paymentTrouble: boolean,
): DemoTicket[] {
  const rng = ctx.stream(S_TICKETS);
  const { nowMs, today, ids } = ctx;
  const profile = account.profile;
  const windowStart = Math.max(today - 365 * DAY, createdAt);
  const windowEnd = churnedAt ?? nowMs;
  if (windowEnd <= windowStart) return [];
  const years = (windowEnd - windowStart) / (365 * DAY);
  const rate = TIER_PROFILE[account.tier].tickets_per_year * (profile === "churner" ? 1.5 : profile === "champion" ? 0.8 : 1);

  const created: { at: number; surge: boolean }[] = [];
  for (let k = rng.poisson(rate * years); k > 0; k--) created.push({ at: windowStart + rng.float() * (windowEnd - windowStart), surge: false });
  // Onboarding questions in the first month.
  if (createdAt > today - 365 * DAY) for (let k = rng.int(1, 3); k > 0; k--) created.push({ at: createdAt + rng.between(1, 30) * DAY, surge: false });
  // Churners: a burst of serious tickets over the last 90 days.
  if (profile === "churner") for (let k = rng.int(3, 8); k > 0; k--) created.push({ at: nowMs - rng.between(0.2, 90) * DAY, surge: true });

  const tickets: DemoTicket[] = [];
  for (const c of created) {
    // Business hours, Monday to Friday.
    let at = utcMidnight(c.at) + Math.floor(rng.between(13, 22) * HOUR) + rng.int(0, 59_999);
    while ([0, 6].includes(new Date(at).getUTCDay())) at -= DAY;
    if (at >= nowMs) at = nowMs - rng.int(10, 240) * MINUTE;
    if (at < createdAt || (churnedAt !== null && at >= churnedAt)) continue;
    const troubled = profile === "churner" || c.surge;
    const priority = rng.weighted<DemoPriority>(
      c.surge ? [["P1", 0.15], ["P2", 0.35], ["P3", 0.35], ["P4", 0.15]] : [["P1", 0.04], ["P2", 0.14], ["P3", 0.52], ["P4", 0.3]],
    );
    const category = rng.weighted<string>([
      ["technical", 0.28], ["bug", c.surge ? 0.3 : 0.14], ["how_to", at - createdAt < 45 * DAY ? 0.5 : 0.18],
      ["billing", paymentTrouble ? 0.25 : 0.08], ["integration", 0.1], ["feature_request", 0.1], ["account", 0.06],
    ]);
    const target = RESOLUTION_TARGET_MINUTES[priority];
    const firstDelay = rng.chance(troubled ? 0.7 : 0.86) ? rng.between(1, FIRST_RESPONSE_TARGET_MINUTES) : rng.between(16, 300);
    const stuck = rng.chance(0.03);
    const resolveMinutes = stuck
      ? Infinity
      : rng.chance(troubled ? 0.6 : 0.82)
        ? target * rng.between(0.1, 0.95)
        : target * rng.between(1.05, 4);
    const firstAt = at + firstDelay * MINUTE;
    const resolvedAt = at + Math.max(resolveMinutes, firstDelay + 5) * MINUTE;
    const responded = firstAt < nowMs;
    const resolved = resolvedAt < nowMs;
    const closedAt = resolved ? resolvedAt + rng.between(2, 4) * DAY : Infinity;
    const closed = closedAt < nowMs;
    const status: DemoTicketStatus = closed ? "closed" : resolved ? "resolved" : !responded ? "open" : rng.chance(0.5) ? "in_progress" : "pending";
    let satisfaction: number | null = null;
    if (resolved && rng.chance(0.4)) {
      const s = rng.weighted<number>(troubled ? [[5, 0.1], [4, 0.2], [3, 0.3], [2, 0.2], [1, 0.2]] : [[5, 0.55], [4, 0.3], [3, 0.1], [2, 0.03], [1, 0.02]]);
      satisfaction = Math.max(1, s - (resolveMinutes > target ? 1 : 0));
    }
    // Escalation rule (DOMAIN.md): no first response within 2 hours, or no resolution within 3 days.
    const escalateAt = firstDelay > 120 ? at + 120 * MINUTE : resolveMinutes > 3 * 1440 ? at + 3 * DAY : null;
    const escalated = escalateAt !== null && escalateAt < nowMs;
    const [agent, team] = rng.pick(AGENTS.filter(([, t]) => t === TICKET_TEAMS[category])) ?? AGENTS[0];
    const subject = rng.pick(TICKET_SUBJECTS[category] ?? TICKET_SUBJECTS.technical ?? ["Support request"]);
    const lastActivity = Math.max(at, responded ? firstAt : at, resolved ? resolvedAt : at, closed ? closedAt : at, escalated ? (escalateAt as number) : at);
    tickets.push({
      id: uuid7(at, ids),
      account_id: account.id,
      subject,
      description: `${subject}. Reported by ${account.company_name}.`,
      priority,
      category,
      status,
      requester_email: rng.pick(contacts).email,
      assigned_agent: agent,
      team,
      tags: priority === "P1" ? [category, "urgent"] : [category],
      satisfaction_rating: satisfaction,
      escalated,
      escalated_at: escalated ? new Date(escalateAt as number) : null,
      first_response_due_at: new Date(at + FIRST_RESPONSE_TARGET_MINUTES * MINUTE),
      resolution_due_at: new Date(at + target * MINUTE),
      first_response_at: responded ? new Date(Math.floor(firstAt)) : null,
      resolved_at: resolved ? new Date(Math.floor(resolvedAt)) : null,
      closed_at: closed ? new Date(Math.floor(closedAt)) : null,
      created_at: new Date(at),
      updated_at: new Date(Math.floor(lastActivity)),
    });
  }
  tickets.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1));
  return tickets;
}

// ------------------------------------------------------------------ surveys

function npsScore(rng: Rng, mix: readonly [number, number, number]): { score: number; reason: string | null } {
  const kind = rng.weighted<"promoter" | "passive" | "detractor">([["promoter", mix[0]], ["passive", mix[1]], ["detractor", mix[2]]]);
  const score = kind === "promoter" ? rng.int(9, 10) : kind === "passive" ? rng.int(7, 8) : rng.weighted<number>([[0, 1], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 5]]);
  return { score, reason: rng.chance(0.7) ? rng.pick(NPS_REASONS[kind]) : null };
}

function generateSurveys(
  ctx: AccountContext,
  account: DemoAccount,
  contacts: readonly DemoContact[],
  createdAt: number,
  churnedAt: number | null,
  declineDays: number,
): DemoSurveyResponse[] {
  const rng = ctx.stream(S_SURVEYS);
  const { nowMs, today, ids } = ctx;
  const profile = account.profile;
  const out: DemoSurveyResponse[] = [];
  const end = churnedAt ?? nowMs;

  // Quarterly NPS waves; nobody is surveyed in their first 30 days.
  for (let wave = 0; wave < 4; wave++) {
    const waveDay = today - (15 + wave * 91 + rng.int(0, 10)) * DAY;
    for (const contact of contacts) {
      const responds = rng.chance(contact.is_primary ? 0.6 : 0.4);
      const at = waveDay + rng.int(0, 7) * DAY + Math.floor(rng.between(12, 23) * HOUR) + rng.int(0, 3_599_999);
      if (!responds || at < createdAt + 30 * DAY || at < contact.created_at.getTime() || at >= end) continue;
      const daysAgo = (today - at) / DAY;
      let mix: [number, number, number] = [0.5, 0.33, 0.17];
      if (profile === "champion") mix = [0.8, 0.17, 0.03];
      else if (profile === "churner") mix = daysAgo < declineDays + 30 ? [0.05, 0.2, 0.75] : [0.3, 0.38, 0.32];
      else if (profile === "churned") mix = churnedAt !== null && (churnedAt - at) / DAY < 120 ? [0.05, 0.2, 0.75] : [0.25, 0.4, 0.35];
      const { score, reason } = npsScore(rng, mix);
      out.push({ id: uuid7(at, ids), account_id: account.id, survey_type: "nps", respondent_email: contact.email, score, reason, responded_at: new Date(at) });
    }
  }

  // Some accounts also answered CSAT surveys (after onboarding sessions or business reviews).
  if (rng.chance(0.35)) {
    for (let k = rng.int(1, 3); k > 0; k--) {
      const at = Math.max(createdAt + DAY, today - 365 * DAY) + rng.float() * 364 * DAY;
      if (at >= end) continue;
      const contact = rng.pick(contacts);
      if (at < contact.created_at.getTime()) continue;
      const troubled = profile === "churner" || profile === "churned";
      const score = rng.weighted<number>(troubled ? [[1, 0.2], [2, 0.25], [3, 0.3], [4, 0.15], [5, 0.1]] : [[1, 0.02], [2, 0.05], [3, 0.13], [4, 0.4], [5, 0.4]]);
      const reason = rng.chance(0.6) ? rng.pick(score >= 4 ? CSAT_REASONS.high : CSAT_REASONS.low) : null;
      const when = Math.floor(at);
      if (out.some((r) => r.survey_type === "csat" && r.respondent_email === contact.email && r.responded_at.getTime() === when)) continue;
      out.push({ id: uuid7(when, ids), account_id: account.id, survey_type: "csat", respondent_email: contact.email, score, reason, responded_at: new Date(when) });
    }
  }
  out.sort((a, b) => a.responded_at.getTime() - b.responded_at.getTime());
  return out;
}

/** Row counts of generated data (what a load writes). */
export function demoCounts(data: DemoData) {
  return {
    accounts: data.accounts.length,
    contacts: data.contacts.length,
    contracts: data.contracts.length,
    usage_events: data.usage_events.account_id.length,
    tickets: data.tickets.length,
    survey_responses: data.survey_responses.length,
    invoices: data.invoices.length,
    timeline_events: data.timeline_events.length,
    lifecycle_transitions: data.lifecycle_transitions.length,
    escalations: data.escalations.length,
    support_agents: data.support_agents.length,
    kb_articles: data.kb_articles.length,
    kb_article_versions: data.kb_article_versions.length,
    kb_article_votes: data.kb_article_votes.length,
    onboarding_plans: data.onboarding_plans.length,
    onboarding_milestones: data.onboarding_milestones.length,
    onboarding_tasks: data.onboarding_tasks.length,
    training_modules: data.training_modules.length,
    training_sessions: data.training_sessions.length,
    training_completions: data.training_completions.length,
    certifications: data.certifications.length,
    feedback: data.feedback.length,
    executive_reviews: data.executive_reviews.length,
    advocates: data.advocates.length,
    advocate_contributions: data.advocate_contributions.length,
    communities: data.communities.length,
    community_members: data.community_members.length,
    community_posts: data.community_posts.length,
    newsletters: data.newsletters.length,
    newsletter_subscriptions: data.newsletter_subscriptions.length,
    email_campaigns: data.email_campaigns.length,
    email_sends: data.email_sends.length,
    email_events: data.email_events.length,
  };
}
