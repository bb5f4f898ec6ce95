/// <reference lib="dom" />
// Portfolio health, from a list_clients result: health bands, churn levels, ARR at risk and the accounts
// in a sortable table. A result is one page (≤ 100 accounts): when the host lets views call tools, the
// view fetches the remaining pages with the result's sort, filters and cursor (up to MAX_ACCOUNTS) and
// every figure covers all of them; otherwise the figures cover the page and the header says so.
import type { z } from "zod";
import type { listClients } from "../../tools/core/list-clients.ts";
import { dash, el, fmtInt, fmtMoney, fmtPct, section, sortableTable, stackedBar, startView, tile, type Column, type ViewContext } from "./common.ts";

type Result = z.output<(typeof listClients)["output"]>;
type Row = Result["clients"][number];
type Levels = { high: number; medium: number; low: number };

/** list_clients' largest page, and how many accounts the view fetches at most (bounded work in the host). */
const PAGE = 100;
const MAX_ACCOUNTS = 10_000;

const BANDS = [
  ["at_risk", "At risk"],
  ["needs_attention", "Needs attention"],
  ["healthy", "Healthy"],
  ["champion", "Champion"],
  ["none", "No score"],
] as const;
const LEVELS = [
  ["high", "High"],
  ["medium", "Medium"],
  ["low", "Low"],
  ["minimal", "Minimal"],
  ["none", "No prediction"],
] as const;

/** The churn level of a probability, with the server's thresholds (the page's view-config block). */
export function churnLevel(p: number | null, levels: Levels): string {
  if (p === null) return "none";
  return p >= levels.high ? "high" : p >= levels.medium ? "medium" : p >= levels.low ? "low" : "minimal";
}

function readLevels(): Levels {
  const raw = document.getElementById("view-config")?.textContent ?? "{}";
  return (JSON.parse(raw) as { churn_levels: Levels }).churn_levels;
}

/** Draws the figures and the table for `rows`; `scope` says which accounts they cover. */
function draw(rows: readonly Row[], scope: { text: string; complete: boolean }, root: HTMLElement): void {
  const levels = readLevels();
  const band = (r: Row) => r.health_band ?? "none";
  const atRisk = rows.filter((r) => r.health_band === "at_risk" || churnLevel(r.churn_probability, levels) === "high");
  const arrTotal = rows.reduce((s, r) => s + r.arr, 0);
  const arrAtRisk = atRisk.reduce((s, r) => s + r.arr, 0);

  const columns: Column<Row>[] = [
    { key: "company_name", label: "Account", value: (r) => r.company_name, cell: (r) => el("span", { title: r.client_id }, r.company_name) },
    { key: "tier", label: "Tier", value: (r) => r.tier },
    { key: "lifecycle_stage", label: "Stage", value: (r) => r.lifecycle_stage },
    { key: "arr", label: "ARR", value: (r) => r.arr, cell: (r) => fmtMoney(r.arr), numeric: true },
    { key: "health_score", label: "Health", value: (r) => r.health_score, numeric: true },
    { key: "health_band", label: "Band", value: (r) => r.health_band, cell: (r) => el("span", { class: `pill seg-${band(r)}` }, r.health_band?.replace("_", " ") ?? dash) },
    { key: "churn_probability", label: "Churn", value: (r) => r.churn_probability, cell: (r) => (r.churn_probability === null ? dash : fmtPct(r.churn_probability)), numeric: true },
    { key: "renewal_date", label: "Renewal", value: (r) => r.renewal_date },
  ];

  root.replaceChildren(
    el("header", {}, el("h1", {}, "Portfolio health"), el("p", { class: "muted", "data-testid": "scope", "data-complete": String(scope.complete) }, scope.text)),
    el(
      "div",
      { class: "tiles" },
      tile("Accounts", fmtInt(rows.length), "accounts"),
      tile("ARR", fmtMoney(arrTotal), "arr-total"),
      tile("ARR at risk", fmtMoney(arrAtRisk), "arr-at-risk", "risk"),
      tile("Accounts at risk", fmtInt(atRisk.length), "accounts-at-risk", "risk"),
    ),
    el("p", { class: "muted small" }, `At risk: band at_risk or churn probability ≥ ${levels.high} (high).`),
    el(
      "div",
      { class: "cols" },
      section("Health bands", stackedBar(BANDS.map(([k, label]) => { const n = rows.filter((r) => band(r) === k).length; return { key: k, label, value: n, display: fmtInt(n) }; }), "bands")),
      section("Churn levels", stackedBar(LEVELS.map(([k, label]) => { const n = rows.filter((r) => churnLevel(r.churn_probability, levels) === k).length; return { key: k, label, value: n, display: fmtInt(n) }; }), "churn-levels")),
    ),
    section("Accounts", el("div", { class: "scroll tall" }, sortableTable(rows, columns, "accounts-table"))),
  );
}

/** The arguments that list the same accounts in the same order as the result did. */
function sameListing(data: Result): Record<string, unknown> {
  const f = data.filters_applied;
  return {
    ...(f.tier !== null ? { tier_filter: f.tier } : {}),
    ...(f.lifecycle_stage !== null ? { lifecycle_stage_filter: f.lifecycle_stage } : {}),
    ...(f.health_score_min !== null ? { health_score_min: f.health_score_min } : {}),
    ...(f.health_score_max !== null ? { health_score_max: f.health_score_max } : {}),
    sort_by: data.sort.by,
    sort_order: data.sort.order,
    limit: PAGE,
  };
}

// A newer tool result replaces the view: a fetch still running for an older one must not draw over it.
let generation = 0;

function render(data: Result, root: HTMLElement, ctx: ViewContext): void {
  const gen = ++generation;
  const all = data.total <= data.count && (data.offset ?? 0) === 0;
  if (all) return draw(data.clients, { text: `All ${fmtInt(data.total)} accounts`, complete: true }, root);
  const partial = (rows: readonly Row[], why: string) => draw(rows, { text: `${fmtInt(rows.length)} of ${fmtInt(data.total)} accounts: ${why}`, complete: false }, root);
  if (!ctx.canCallTools()) return partial(data.clients, "this page only (the host does not let the view fetch the rest)");
  partial(data.clients, "loading the rest…");
  void (async () => {
    // A first page (offset 0) is kept and continued; any other page is listed again from the start.
    const rows: Row[] = (data.offset ?? 1) === 0 ? [...data.clients] : [];
    let cursor: string | null = (data.offset ?? 1) === 0 ? data.next_cursor : null;
    let first = rows.length === 0;
    while ((first || cursor !== null) && rows.length < MAX_ACCOUNTS) {
      const page = (await ctx.callTool("list_clients", { ...sameListing(data), ...(cursor !== null ? { cursor } : {}) }).catch(() => null)) as Result | null;
      if (gen !== generation) return;
      if (!page) return partial(rows.length ? rows : data.clients, "the rest could not be fetched");
      rows.push(...page.clients);
      cursor = page.next_cursor;
      first = false;
    }
    if (gen !== generation) return;
    if (cursor !== null) return partial(rows, `the first ${fmtInt(rows.length)} only`);
    draw(rows, { text: `All ${fmtInt(rows.length)} accounts`, complete: true }, root);
  })();
}

startView<Result>("cs-portfolio", render);
