/// <reference lib="dom" />
// Renewal pipeline, from a track_renewals result: ARR due and its split by churn risk level (totals over
// every renewal in the window), and the listed renewals by date in a sortable table.
import type { z } from "zod";
import type { trackRenewals } from "../../tools/expansion/track-renewals.ts";
import { dash, el, fmtInt, fmtMoney, fmtPct, section, sortableTable, stackedBar, startView, tile, type Column } from "./common.ts";

type Result = z.output<(typeof trackRenewals)["output"]>;
type Row = Result["renewals"][number];

const LEVELS = [
  ["high", "High"],
  ["medium", "Medium"],
  ["low", "Low"],
  ["minimal", "Minimal"],
] as const;

function render(data: Result, root: HTMLElement): void {
  const t = data.totals;
  const level = (k: string) => t.by_risk_level[k] ?? { renewals: 0, arr: 0 };
  const columns: Column<Row>[] = [
    { key: "renewal_date", label: "Renewal", value: (r) => r.renewal_date },
    { key: "days_until_renewal", label: "Days", value: (r) => r.days_until_renewal, numeric: true },
    { key: "company_name", label: "Account", value: (r) => r.company_name, cell: (r) => el("span", { title: r.client_id }, r.company_name) },
    { key: "arr", label: "ARR", value: (r) => r.arr, cell: (r) => fmtMoney(r.arr, r.currency), numeric: true },
    { key: "health_score", label: "Health", value: (r) => r.health_score, numeric: true },
    { key: "risk", label: "Churn risk", value: (r) => r.churn.probability, cell: (r) => el("span", { class: `pill seg-${r.churn.risk_level}` }, `${r.churn.risk_level} ${fmtPct(r.churn.probability)}`), numeric: true },
    { key: "notice_deadline", label: "Notice by", value: (r) => r.notice_deadline, cell: (r) => el("span", { class: r.notice_deadline_passed ? "late" : undefined }, r.notice_deadline) },
    { key: "auto_renew", label: "Auto", value: (r) => (r.auto_renew ? 1 : 0), cell: (r) => (r.auto_renew ? "yes" : "no") },
    { key: "next_reminder", label: "Next reminder", value: (r) => r.next_reminder?.date ?? null, cell: (r) => r.next_reminder?.date ?? dash },
  ];
  root.append(
    el("header", {}, el("h1", {}, "Renewal pipeline"), el("p", { class: "muted", "data-testid": "window" }, `${data.window.from} → ${data.window.to} (${data.window.days_until_renewal} days)`)),
    el(
      "div",
      { class: "tiles" },
      tile("Renewals", fmtInt(t.renewals), "renewals"),
      tile("ARR due", fmtMoney(t.arr_due), "arr-due"),
      tile("High-risk ARR", fmtMoney(level("high").arr), "arr-high", "risk"),
      tile("Auto-renewing ARR", fmtMoney(t.auto_renew.arr), "arr-auto"),
      tile("Notice deadlines passed", fmtInt(t.notice_deadline_passed), "notice-passed"),
      tile("Payment issues", fmtInt(t.payment_issues), "payment-issues"),
    ),
    section("ARR due by churn risk", stackedBar(LEVELS.map(([k, label]) => ({ key: k, label: `${label} (${fmtInt(level(k).renewals)})`, value: level(k).arr, display: fmtMoney(level(k).arr) })), "risk-levels")),
    section(
      data.truncated ? `Renewals (first ${fmtInt(data.renewals.length)} of ${fmtInt(t.renewals)})` : "Renewals",
      el("div", { class: "scroll" }, sortableTable(data.renewals, columns, "renewals-table")),
    ),
  );
}

startView<Result>("cs-renewals", render);
