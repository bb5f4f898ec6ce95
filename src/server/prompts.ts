// The MCP prompts: five CS routines, each a user message that names the tools to call, in order, with
// their arguments. A tool this session does not list is written as a call_tool call (default mode) or
// said to be unavailable, so the message never sends the model to a tool it cannot reach.
import { ErrorCode, McpError, type GetPromptResult, type Prompt } from "@modelcontextprotocol/sdk/types.js";
import { clientId } from "../security/validation.ts";

/** How this session can reach a tool: listed, through call_tool, or not at all. */
export type ToolReach = (name: string) => "listed" | "call_tool" | "unavailable";

interface PromptDef extends Prompt {
  render(args: Record<string, string>, step: (tool: string, args: Record<string, unknown>) => string): string;
}

const days = (raw: string | undefined, dflt: number, max: number): number => {
  if (raw === undefined || raw.trim() === "") return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new McpError(ErrorCode.InvalidParams, `days: must be a whole number from 1 to ${max} (got '${raw}')`);
  return n;
};
const clientArg = { name: "client_id", description: "The account (cs_…); completes on id or name", required: true };
const list = (lines: string[]) => lines.map((l, i) => `${i + 1}. ${l}`).join("\n");

export const PROMPTS: PromptDef[] = [
  {
    name: "account_review",
    title: "Account review",
    description: "Everything about one account before a call: situation, risks, next actions.",
    arguments: [clientArg],
    render: ({ client_id }, step) =>
      `Prepare me for a call with account ${client_id}. Call, in this order:\n` +
      list([
        `${step("get_client_overview", { client_id })}: profile, contract, open tickets, risks.`,
        `${step("calculate_health_score", { client_id, include_predictions: true })}: components, trend, projection.`,
        `${step("identify_churn_risk", { client_id })}: probability and its factors.`,
        `${step("get_client_timeline", { client_id, limit: 20 })}: what happened recently.`,
        `${step("track_renewals", { client_id, days_until_renewal: 365 })}: renewal date, notice deadline, reminders.`,
      ]) +
      `\nThen write: the situation in three lines, the top risks with their evidence, three next actions, and questions to ask on the call. Quote figures from the results only.`,
  },
  {
    name: "churn_review",
    title: "Churn review",
    description: "Portfolio churn risk: who, why, and what to do.",
    arguments: [{ name: "accounts", description: "How many of the riskiest accounts to examine (default 5, max 15)" }],
    render: (a, step) => {
      const n = days(a.accounts, 5, 15);
      return (
        `Review churn risk across the portfolio. Call, in this order:\n` +
        list([
          `${step("identify_churn_risk", { limit: n })}: the ${n} riskiest accounts and the portfolio's levels.`,
          `For each of those accounts: ${step("score_risk_factors", { client_id: "<client_id>" })} for the open risk indicators, and ${step("get_client_overview", { client_id: "<client_id>" })}.`,
          `${step("manage_escalations", { action: "list" })}: escalations already open.`,
        ]) +
        `\nThen write: the levels (high/medium/low/minimal) with counts, each risky account with its top factors and a concrete save action ` +
        `(a retention campaign via ${step("execute_retention_campaign", { client_id: "<client_id>", campaign_type: "value_review" })}, an escalation, an executive call), most urgent first.`
      );
    },
  },
  {
    name: "renewal_prep",
    title: "Renewal preparation",
    description: "Renewals in a window with their risk, and a negotiation brief for the risky ones.",
    arguments: [
      { name: "days", description: "Window in days from today (default 90, max 365)" },
      { name: "client_id", description: "Only this account (optional); completes on id or name" },
    ],
    render: (a, step) => {
      const d = days(a.days, 90, 365);
      const scope = a.client_id ? { client_id: a.client_id } : {};
      return (
        `Prepare the renewals of the next ${d} days${a.client_id ? ` for ${a.client_id}` : ""}. Call, in this order:\n` +
        list([
          `${step("track_renewals", { ...scope, days_until_renewal: d })}: what renews, notice deadlines, reminders.`,
          `${step("forecast_renewals", { ...scope, forecast_period_days: d, include_risk_analysis: true })}: due, expected and at-risk ARR and the factors behind the risk.`,
          `For each renewal at high or medium risk: ${step("negotiate_renewals", { client_id: "<client_id>" })} for a negotiation brief, and ${step("identify_expansion_opportunities", {})} for what could be bundled.`,
        ]) +
        `\nThen write: the totals (due, expected, at risk), the renewals in order of notice deadline, and for each risky one the brief: risk factors, strategy, concessions to hold, what to offer.`
      );
    },
  },
  {
    name: "qbr_prep",
    title: "QBR preparation",
    description: "An executive business review for one account: results, value, risks, plan.",
    arguments: [clientArg],
    render: ({ client_id }, step) =>
      `Prepare the quarterly business review of ${client_id}. Call, in this order:\n` +
      list([
        `${step("get_client_overview", { client_id })}: the account at a glance.`,
        `${step("conduct_executive_review", { action: "prepare_ebr", client_id })}: the review's figures for the period.`,
        `${step("track_cs_metrics", { metric_type: "health_score", client_id, period: "last_90_days" })}: health over the quarter.`,
        `${step("monitor_satisfaction", { client_id })}: NPS/CSAT/CES and what customers said.`,
        `${step("analyze_product_usage", { client_id })}: adoption and usage trends.`,
      ]) +
      `\nThen write the QBR: outcomes achieved, value delivered in numbers, adoption, satisfaction, risks and asks, and the plan for next quarter.`,
  },
  {
    name: "weekly_digest",
    title: "Weekly digest",
    description: "What changed in the portfolio this week and what needs attention.",
    arguments: [{ name: "days", description: "How many days back (default 7, max 31)" }],
    render: (a, step) => {
      const d = days(a.days, 7, 31);
      return (
        `Write my customer success digest for the last ${d} days. Read the resource cs://portfolio/summary first, then call, in this order:\n` +
        list([
          `${step("identify_churn_risk", { limit: 10 })}: who is at risk now.`,
          `${step("manage_escalations", { action: "list" })}: open escalations.`,
          `${step("track_renewals", { days_until_renewal: 30 })}: renewals in the next 30 days.`,
          `${step("monitor_satisfaction", { time_period_days: d })}: satisfaction in the period.`,
          `${step("analyze_support_performance", { period_days: d })}: SLA and backlog.`,
        ]) +
        `\nThen write a one-page digest: headline numbers, what got better or worse, the five accounts that need attention this week and why, and renewals to act on.`
      );
    },
  },
];

export function listPrompts(): Prompt[] {
  return PROMPTS.map(({ render: _render, ...p }) => p);
}

/** prompts/get: the prompt's message, its tool steps written for what this session can reach. */
export function getPrompt(name: string, args: Record<string, string> = {}, reach: ToolReach): GetPromptResult {
  const prompt = PROMPTS.find((p) => p.name === name);
  if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}; known: ${PROMPTS.map((p) => p.name).join(", ")}`);
  for (const a of prompt.arguments ?? []) {
    const value = args[a.name];
    if (a.required && (value === undefined || value.trim() === "")) throw new McpError(ErrorCode.InvalidParams, `${a.name}: is required`);
    if (a.name === "client_id" && value) {
      const ok = clientId().safeParse(value);
      if (!ok.success) throw new McpError(ErrorCode.InvalidParams, `client_id: ${ok.error.issues[0]?.message ?? "not a client_id"}`);
    }
  }
  const step = (tool: string, toolArgs: Record<string, unknown>) => {
    const how = reach(tool);
    if (how === "listed") return `${tool} ${JSON.stringify(toolArgs)}`;
    if (how === "call_tool") return `call_tool ${JSON.stringify({ name: tool, arguments: toolArgs })}`;
    return `(${tool} is not available on this server: skip it)`;
  };
  return { description: prompt.description, messages: [{ role: "user", content: { type: "text", text: prompt.render(args, step) } }] };
}

/** Prompt arguments that complete to client ids. */
export const CLIENT_ID_ARGUMENT = "client_id";
