// The docs/performance.md section of the toolsets benchmark (between <!-- bench:toolsets:start/end -->).
import type { BackendRun, CaseOutcome, ToolsetsBenchResult } from "./toolsets.ts";
import type { Check } from "./toolsets-cases.ts";
import type { Stat } from "./toolsets-measure.ts";

const fmt = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, what: string) => `${fmt(n)} ${what}${n === 1 ? "" : "s"}`;
const ms = (s: Stat) => s.median_ms.toFixed(s.median_ms < 10 ? 2 : 1);
const p95 = (s: Stat) => s.p95_ms.toFixed(s.p95_ms < 10 ? 2 : 1);
const x = (v: number | null) => (v === null ? "—" : `${v.toFixed(2)}×`);
const checkText = (c: Check) => (c.mismatches.length ? `**${c.mismatches.length} of ${c.compared} figures differ**: ${c.mismatches.join("; ")}` : `all ${c.compared} compared figures equal`);

function failed(name: string, o: CaseOutcome<unknown>): string | null {
  return o.status === "failed" ? `**${name}: failed** — ${o.error}` : null;
}

/** The comparison table of one back end: one row per tool figure against its floor. */
function table(b: BackendRun): string[] {
  const rows: string[] = ["| case | tool call: median / p95 (ms) | floor: median / p95 (ms) | tool ÷ floor |", "|---|---:|---:|---:|"];
  const c = b.cases;
  if (c.email.status === "measured") {
    const e = c.email.result;
    rows.push(`| 1. \`send_personalized_email\` to ${fmt(e.recipients)} recipients (tier) | ${ms(e.tool)} / ${p95(e.tool)} | ${ms(e.floor)} / ${p95(e.floor)} — one INSERT … SELECT of the sends + ${plural(e.outbox_rows, "outbox row")} | **${x(e.ratio)}** |`);
  }
  if (c.kb.status === "measured") {
    const k = c.kb.result;
    rows.push(
      `| 2. \`manage_knowledge_base\` search, ${k.queries.length} queries over ${fmt(k.published)} published articles | ${ms(k.overall.tool)} / ${p95(k.overall.tool)} | ${ms(k.overall.floor)} / ${p95(k.overall.floor)} — the same full-text SQL sent directly | **${x(k.ratios.tool_to_floor)}** |`,
      `| 2b. the same searches as an ILIKE scan (no index) | | ${ms(k.overall.ilike)} / ${p95(k.overall.ilike)} | tool ÷ ILIKE **${x(k.ratios.tool_to_ilike)}** |`,
    );
  }
  if (c.support.status === "measured") {
    const s = c.support.result;
    rows.push(`| 3. \`analyze_support_performance\` full, ${s.period_days} days, ${fmt(s.tickets)} tickets | ${ms(s.tool)} / ${p95(s.tool)} | ${ms(s.floor)} / ${p95(s.floor)} — one GROUPING SETS aggregate | **${x(s.ratio)}** |`);
  }
  if (c.revenue.status === "measured") {
    const r = c.revenue.result;
    rows.push(
      `| 4a. \`forecast_renewals\` 180 days: ${fmt(r.forecast.renewals)} renewals (stored churn predictions) | ${ms(r.forecast.tool)} / ${p95(r.forecast.tool)} | ${ms(r.forecast.floor)} / ${p95(r.forecast.floor)} — one aggregate of due / expected / at-risk ARR | **${x(r.forecast.ratio)}** |`,
      `| 4b. \`forecast_renewals\` with \`prediction_max_age_days: 0\` (churn computed now) | ${ms(r.forecast_computed.tool)} / ${p95(r.forecast_computed.tool)} | the same floor | **${x(r.forecast_computed.ratio_to_floor)}** |`,
      `| 4c. \`track_revenue_expansion\` quarterly, cohort of ${fmt(r.revenue.cohort)} accounts | ${ms(r.revenue.tool)} / ${p95(r.revenue.tool)} | ${ms(r.revenue.floor)} / ${p95(r.revenue.floor)} — one aggregate of the GRR / NRR inputs | **${x(r.revenue.ratio)}** |`,
    );
  }
  if (c.metrics.status === "measured") {
    const m = c.metrics.result;
    rows.push(`| 5. \`track_cs_metrics\` nps, monthly, 12 months (${m.buckets} buckets), ${fmt(m.responses)} answers | ${ms(m.tool)} / ${p95(m.tool)} | ${ms(m.floor)} / ${p95(m.floor)} — one GROUP BY ROLLUP | **${x(m.ratio)}** |`);
  }
  for (const [name, o] of Object.entries(c)) {
    const f = failed(name, o as CaseOutcome<unknown>);
    if (f) rows.push(`| ${f} | | | |`);
  }
  return rows;
}

function kbQueries(b: BackendRun): string[] {
  if (b.cases.kb.status !== "measured") return [];
  const k = b.cases.kb.result;
  const head = ["| search_query | matches | tool (ms) | floor (ms) | ILIKE (ms) |", "|---|---:|---:|---:|---:|"];
  return [
    ...head,
    ...k.queries.map((q) => `| \`${q.query}\` | ${fmt(q.matches)} | ${ms(q.tool)} | ${ms(q.floor)} | ${ms(q.ilike)}${q.ilike_matches !== q.matches ? ` (${fmt(q.ilike_matches)} rows)` : ""} |`),
  ];
}

/** The readings of one back end's figures: what each ratio means and where the time goes. */
function readings(b: BackendRun, cores: number): string[] {
  const out: string[] = [];
  const c = b.cases;
  const pg = b.backend === "postgres";
  const node = "PGlite runs inside this process, so its time is Node time too";
  if (c.email.status === "measured") {
    const e = c.email.result;
    out.push(
      `- **1. Email: ${x(e.ratio)}.** ${ms(e.tool)} ms for ${fmt(e.recipients)} recipients = ${e.per_recipient_us.tool} µs per recipient, against ${e.per_recipient_us.floor} µs for the one statement that writes the same rows. ` +
        (e.sql
          ? `A statement was in flight for ${e.sql.busy_median_ms} ms of the call (${e.sql.busy_percent} %, ${e.sql.statements} statements: the recipients query, the campaign, one outbox upsert per batch, the sends INSERT, the audit row, the transaction). `
          : `${node}. `) +
        `The Node part renders subject, HTML and text per recipient (Handlebars) and hands Prisma ${plural(e.outbox_rows, "outbox upsert")} carrying every rendered recipient as JSON (${e.payload_mb.tool} MB in all; the floor builds ${e.payload_mb.floor} MB inside the database), which Prisma walks and serializes before sending; the ${fmt(e.recipients)} email_sends rows go in one unnest INSERT, so nothing is written per recipient. ` +
        `Memory: the call's heap peaks ${e.tool.memory.heap_peak_mb} MB and RSS ${e.tool.memory.rss_peak_mb} MB above the baseline (floor: ${e.floor.memory.heap_peak_mb} MB / ${e.floor.memory.rss_peak_mb} MB), i.e. ${((e.tool.memory.heap_peak_mb * 1024) / e.recipients).toFixed(1)} KB of heap per recipient at the peak. Rows written: ${checkText(e.check)}.`,
    );
  }
  if (c.kb.status === "measured") {
    const k = c.kb.result;
    const rare = k.queries[0]!;
    const common = k.queries.reduce((a, q) => (q.matches > a.matches ? q : a), k.queries[0]!);
    out.push(
      `- **2. Knowledge base: ${x(k.ratios.tool_to_floor)}.** The tool adds little to its own search statement (a query-parse statement, Prisma, validation${k.sql ? `; a statement is in flight for ${k.sql.busy_percent} % of the call` : ""}): the search SQL is the cost, and it follows the number of matching articles, not the size of the base — ` +
        `'${rare.query}' (${fmt(rare.matches)} matches) ${ms(rare.tool)} ms, '${common.query}' (${fmt(common.matches)} matches) ${ms(common.tool)} ms. ` +
        "ts_rank_cd reads the stored document vector of each match (a generated tsvector column, the GIN index built on it) and ts_headline parses only the page's articles; a phrase is still checked on every article holding all its words (the index cannot check word order). " +
        `The index pays for rare words (${ms(rare.floor)} ms against ${ms(rare.ilike)} ms for the ILIKE scan) and for common ones (${ms(common.floor)} against ${ms(common.ilike)} ms); tool ÷ ILIKE ${x(k.ratios.tool_to_ilike)} over the ${k.queries.length} searches.`,
    );
  }
  if (b.gin_pending) {
    const g = b.gin_pending;
    const after = c.kb.status === "measured" ? c.kb.result.queries : [];
    const line = g.queries
      .map((q) => {
        const a = after.find((x) => x.query === q.query);
        return `'${q.query}' ${q.floor_ms} ms (tool ${q.tool_ms} ms, ${fmt(q.matches)} matches)${a ? ` against ${ms(a.floor)} ms after it` : ""}`;
      })
      .join("; ");
    out.push(
      `- **2′. The embedded base before its first VACUUM.** Timed as generated, before the VACUUM ANALYZE (${g.vacuum_seconds} s) the cases run after: ${line}. ` +
        "PGlite runs no autovacuum. The GIN index is built with fastupdate off (migration 20261122170000), so new articles go straight into the index rather than a pending list only a VACUUM would merge: the two states should time alike, and a gap here would mean the planner still avoids the index before the first ANALYZE.",
    );
  }
  if (c.support.status === "measured") {
    const s = c.support.result;
    out.push(
      `- **3. Support performance: ${x(s.ratio)}.** The tool sends five statements (totals, backlog, and one per breakdown: ${s.groups.teams} teams, ${s.groups.agents} agents, ${s.groups.priorities} priorities), each reading every ticket and resolving its agent; the floor reads the tickets once with GROUPING SETS but sorts them once per grouping set for the percentiles. ` +
        (pg
          ? `On PostgreSQL the five run at once on separate pool connections (${cores} cores here; a statement in flight ${s.sql ? `${s.sql.busy_percent} %` : "most"} of the call), which is why the tool can match or beat the single statement: the floor is the one-statement baseline, not a lower bound on wall time. `
          : "On PGlite they run one after another on its one connection, so the tool pays for five passes. ") +
        `Figures: ${checkText(s.check)}.`,
    );
  }
  if (c.revenue.status === "measured") {
    const r = c.revenue.result;
    out.push(
      `- **4. Renewals: ${x(r.forecast.ratio)}; revenue: ${x(r.revenue.ratio)}.** forecast_renewals does more than its floor by design: it stores a renewal_forecasts row per renewal (${fmt(r.forecast.stored_per_call)} per call, one unnest INSERT) and writes the audit row in a transaction, and builds the per-renewal answer (reminder schedule, formulas, Decimal sums) for all ${fmt(r.forecast.renewals)} before listing up to 100` +
        (r.forecast.sql ? `; a statement was in flight for ${r.forecast.sql.busy_percent} % of it (${r.forecast.sql.statements} statements)` : "") +
        `. Without a usable stored churn prediction (prediction_max_age_days 0) every renewing account's churn is computed now — the health-signal statements${r.forecast_computed.sql ? ` (${r.forecast_computed.sql.statements} statements in all)` : ""} and the churn model in Node — ${x(r.forecast_computed.ratio_to_floor)} the floor. Totals: ${checkText(r.forecast.check)}. ` +
        `track_revenue_expansion reads each account's ARR on the period's first and last day (two correlated sums per account) in one statement, then classifies and sums with Decimal in Node${r.revenue.sql ? ` (a statement in flight ${r.revenue.sql.busy_percent} % of the call)` : ""}. GRR / NRR inputs: ${checkText(r.revenue.check)}.`,
    );
  }
  if (c.metrics.status === "measured") {
    const m = c.metrics.result;
    out.push(
      `- **5. CS metrics: ${x(m.ratio)}.** The tool runs two statements side by side — the ${m.buckets} monthly buckets and the whole period — each joining the answers to the accounts in scope (for the segment column) and counting distinct accounts per bucket, then builds the points; the floor is one GROUP BY ROLLUP${m.sql ? `; a statement is in flight ${m.sql.busy_percent} % of the call` : ""}. Figures: ${checkText(m.check)}.`,
    );
  }
  return out;
}

function backend(name: string, b: BackendRun, cores: number): string[] {
  const r = b.rows;
  return [
    `### ${name}`,
    "",
    `${b.server}. Data: ${fmt(r.accounts)} accounts (${fmt(r.contacts)} contacts, ${fmt(r.contracts)} contracts, ${fmt(r.churn_predictions)} churn predictions), ${fmt(r.support_tickets)} tickets, ${fmt(r.survey_responses)} NPS answers, ${fmt(r.kb_published)} published of ${fmt(r.kb_articles)} articles; generated in ${b.seed_seconds} s; the back end's run took ${Math.round(b.seconds)} s.`,
    "",
    ...table(b),
    "",
    ...readings(b, cores),
    "",
    "Searches one by one (medians):",
    "",
    ...kbQueries(b),
  ];
}

export function toolsetsMarkdown(r: ToolsetsBenchResult): string {
  const m = r.machine;
  const date = m.date.slice(0, 10);
  const pp = r.plans.postgres;
  const lines = [
    "<!-- Generated by bench/toolsets.ts (`node dist/bench/toolsets.js`): do not edit by hand, run the bench again. -->",
    "",
    `## Toolsets at portfolio scale (${date})`,
    "",
    `Measured ${date} on ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB RAM, ${m.os}, Node ${m.node} (load average ${m.load_avg_1m.start} → ${m.load_avg_1m.end ?? "?"}); the whole run took ${Math.round(r.total_seconds)} s.`,
    "",
    "Five tools of the newer toolsets, each called through the real ToolPipeline (input validation, handler, services, repositories, output-schema check, as an MCP call runs minus stdio) " +
      `with the clock pinned at ${r.now}, against a **floor** measured in the same run: the least work producing the same rows or figures, written by hand as one SQL statement and sent straight to the driver. ` +
      "The ratio tool ÷ floor is what the tool adds on top of the unavoidable database work; every floor is checked against the tool's answer. " +
      "The data is generated inside the database by set-based `INSERT … SELECT … FROM generate_series(…)` (deterministic hashes of the series index; bench/toolsets-seed.ts), never through the tools. " +
      `SendGrid is configured with a dummy key so that send_personalized_email queues its outbox rows; no dispatcher runs, nothing is delivered. Runs alternate tool and floor after one warm-up round (PostgreSQL: ${pp.email.runs} email runs, ${pp.kb.runs} rounds of each search, ${pp.support.runs} support, ${pp.revenue.runs} renewal/revenue, ${pp.metrics.runs} metrics runs; fewer on PGlite), each case bounded by a time budget and the tool deadline (${r.tool_deadline_ms} ms). ` +
      `On PostgreSQL every pg query of the process is timed, giving the part of a call with a statement in flight (the rest is Node: validation, Prisma, rendering, JSON).${r.gc ? " Memory is sampled every millisecond above a baseline taken after a forced garbage collection." : ""}`,
    "",
  ];
  if (r.postgres) lines.push(...backend("PostgreSQL", r.postgres, m.cores), "");
  else lines.push("PostgreSQL: skipped (no DATABASE_URL).", "");
  lines.push(...backend("Embedded (PGlite), a tenth of the data", r.embedded, m.cores), "");
  if (r.notes.length) lines.push("Notes:", "", ...r.notes.map((n) => `- ${n}`), "");
  lines.push("The full figures (every sample statistic, the checks, memory and SQL shares) are in `bench/results/toolsets.json` (not committed).");
  return lines.join("\n");
}
