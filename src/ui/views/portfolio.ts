/// <reference lib="dom" />
// Portfolio health, from a list_clients result: health bands, churn levels, ARR at risk and the accounts
// in a sortable table. Every figure covers the accounts of the result (the page the tool returned).
import type { z } from "zod";
import type { listClients } from "../../tools/core/list-clients.ts";
import { dash, el, fmtInt, fmtMoney, fmtPct, section, sortableTable, stackedBar, startView, tile, type Column } from "./common.ts";

type Result = z.output<(typeof listClients)["output"]>;
type Row = Result["clients"][number];
type Levels = { high: number; medium: number; low: number };

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

function render(data: Result, root: HTMLElement): void {
  const levels = readLevels();
  const rows = data.clients;
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

  root.append(
    el("header", {}, el("h1", {}, "Portfolio health"), el("p", { class: "muted", "data-testid": "scope" }, `${fmtInt(data.count)} of ${fmtInt(data.total)} accounts`)),
    el(
      "div",
      { class: "tiles" },
      tile("Accounts shown", fmtInt(rows.length), "accounts"),
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
    section("Accounts", el("div", { class: "scroll" }, sortableTable(rows, columns, "accounts-table"))),
  );
}

startView<Result>("cs-portfolio", render);
