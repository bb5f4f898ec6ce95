// The tools a session lists by default (CS_MCP_TOOLSETS empty): what a CS manager reaches for first,
// plus discover_tools / enable_toolsets / call_tool (src/server/session-tools.ts) for everything else.
// Every other tool the configuration allows stays callable (tools/call or call_tool); it is just not
// sent with each turn, which keeps the default tools/list small (issue 11: ≤ 20 tools, ≤ 12k tokens).
export const DEFAULT_TOOLS = [
  "get_client_overview", // everything about one account: the starting point of most questions
  "list_clients", // find accounts and their ids, sorted by ARR, health, churn risk or renewal
  "register_client", // a new account: nothing else works before the account exists
  "update_client_info", // keep contract, contacts, tier and lifecycle current
  "get_client_timeline", // what happened on an account, in order
  "calculate_health_score", // the health view, per account or portfolio (read-only mode: computed, not stored)
  "identify_churn_risk", // who may leave and why (read-only mode: computed, not stored)
  "monitor_satisfaction", // NPS/CSAT/CES trends: the customer's own voice
  "manage_escalations", // the accounts in trouble right now
  "track_renewals", // what renews soon, with risk and notice deadlines
  "forecast_renewals", // expected vs at-risk ARR of a window (read-only mode: computed, not stored)
  "identify_expansion_opportunities", // where revenue can grow
  "analyze_support_performance", // SLA, response and resolution times behind support health
  "handle_support_ticket", // open or update the ticket a conversation is about
  "collect_feedback", // record an NPS/CSAT/CES answer or feedback as it comes in
  "track_cs_metrics", // the portfolio's GRR/NRR, NPS and CS KPIs for reporting
  "conduct_executive_review", // QBR/EBR preparation for one account
] as const;

export type DefaultTool = (typeof DEFAULT_TOOLS)[number];
