/// <reference lib="dom" />
// One account, from a get_client_overview result: health and its five components, the last stored
// scores with their components over time (the result's health.history), open tickets and the renewal.
import type { z } from "zod";
import type { getClientOverview } from "../../tools/core/get-client-overview.ts";
import { dash, el, fmtInt, fmtMoney, section, startView, tile } from "./common.ts";

type Result = z.output<(typeof getClientOverview)["output"]>;
const COMPONENTS = ["usage", "engagement", "support", "satisfaction", "payment"] as const;
const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

type Point = NonNullable<Result["health"]>["history"][number];
const SERIES = [["overall_score", "Health"], ...COMPONENTS.map((c) => [c, c[0]!.toUpperCase() + c.slice(1)] as const)] as const;

/**
 * Health and its five components over the stored scores, oldest left: one line per series (a missing
 * component breaks nothing, its point is just not drawn), then the same numbers as a table.
 */
function history(points: readonly Point[]): { chart: HTMLElement; table: HTMLElement | null } {
  if (points.length === 0) return { chart: el("p", { class: "muted", "data-testid": "history-empty" }, "No stored health scores."), table: null };
  const w = 420;
  const h = 120;
  const x = (i: number) => (points.length === 1 ? w / 2 : 10 + (i * (w - 20)) / (points.length - 1));
  const y = (s: number) => h - 8 - (s / 100) * (h - 16);
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h}`, class: "chart", role: "img", "data-testid": "history-chart", "aria-label": "Health and components over time" });
  for (const v of [0, 50, 100]) chart.append(svg("line", { x1: 0, x2: w, y1: y(v), y2: y(v), class: "grid" }));
  for (const [key] of SERIES) {
    const pts = points.flatMap((p, i) => (p[key] === null ? [] : [{ i, v: p[key] as number }]));
    if (pts.length > 1) chart.append(svg("polyline", { points: pts.map((p) => `${x(p.i)},${y(p.v)}`).join(" "), fill: "none", class: `line s-${key}` }));
    for (const p of pts) chart.append(svg("circle", { cx: x(p.i), cy: y(p.v), r: key === "overall_score" ? 3 : 2, class: `pt s-${key}`, "data-series": key, "data-value": p.v }));
  }
  const legend = el("ul", { class: "legend" }, ...SERIES.map(([key, label]) => el("li", {}, el("span", { class: `dot s-${key}` }), label)));
  const table = el(
    "table",
    { class: "compact", "data-testid": "history-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "Date"), ...SERIES.map(([, label]) => el("th", { class: "num" }, label)))),
    el("tbody", {}, ...points.map((p) => el("tr", {}, el("td", { "data-col": "calculated_at" }, p.calculated_at.slice(0, 10)), ...SERIES.map(([key]) => el("td", { class: "num", "data-col": key }, p[key] === null ? dash : String(p[key])))))),
  );
  return {
    chart: el("div", { "data-testid": "history", "data-points": points.length }, chart, legend, el("p", { class: "muted small" }, `Last ${points.length} stored scores`)),
    table: el("div", { class: "scroll" }, table),
  };
}

function render(o: Result, root: HTMLElement): void {
  const p = o.profile;
  const hl = o.health;
  const c = o.contract;
  const past = history(hl?.history ?? []);
  root.append(
    el("header", {}, el("h1", { "data-testid": "company" }, p.company_name), el("p", { class: "muted" }, `${p.tier} · ${p.lifecycle_stage} · ${p.status} · ${o.client_id}`)),
    el(
      "div",
      { class: "tiles" },
      tile("Health", hl?.overall_score === null || !hl ? dash : String(hl.overall_score), "health-score", hl?.band === "at_risk" ? "risk" : undefined),
      tile("Band", hl ? hl.band.replace("_", " ") : dash, "health-band"),
      tile("Trend", hl?.trend ?? dash, "health-trend"),
      tile("ARR", fmtMoney(p.arr, p.currency), "arr"),
      tile("Open tickets", fmtInt(o.support.open_tickets), "open-tickets", o.support.by_priority.P1 > 0 ? "risk" : undefined),
      tile("Days to renewal", c?.days_to_renewal === null || !c ? dash : fmtInt(c.days_to_renewal), "days-to-renewal"),
    ),
    el(
      "div",
      { class: "cols" },
      section(
        "Health components",
        el(
          "div",
          { class: "meters", "data-testid": "components" },
          ...COMPONENTS.map((k) => {
            const v = hl?.components[k] ?? null;
            return el(
              "div",
              { class: "meter", "data-component": k },
              el("span", { class: "meter-label" }, k),
              el("span", { class: "meter-track" }, el("span", { class: "meter-fill", style: `width:${v ?? 0}%` })),
              el("b", { class: "meter-value" }, v === null ? dash : String(v)),
            );
          }),
        ),
        hl?.calculated_at ? el("p", { class: "muted small" }, `Calculated ${hl.calculated_at.slice(0, 10)}`) : null,
      ),
      section("Health over time", past.chart),
    ),
    section("Scores by date", past.table ?? el("p", { class: "muted" }, "None yet.")),
    el(
      "div",
      { class: "cols" },
      section(
        "Open tickets",
        el("p", { "data-testid": "by-priority" }, ...(["P1", "P2", "P3", "P4"] as const).map((k) => el("span", { class: `pill prio-${k}`, "data-priority": k }, `${k} ${o.support.by_priority[k]}`))),
        o.support.recent_open.length
          ? el(
              "ul",
              { class: "tickets", "data-testid": "recent-tickets" },
              ...o.support.recent_open.map((t) => el("li", {}, el("span", { class: `pill prio-${t.priority}` }, t.priority), " ", t.subject, el("span", { class: "muted small" }, ` ${t.created_at.slice(0, 10)}${t.resolution_breached ? " · SLA breached" : ""}`))),
            )
          : el("p", { class: "muted" }, "No open tickets."),
      ),
      section(
        "Renewal",
        c
          ? el(
              "dl",
              { class: "facts", "data-testid": "renewal" },
              el("dt", {}, "Renewal date"), el("dd", { "data-testid": "renewal-date" }, c.renewal_date ?? dash),
              el("dt", {}, "Contract value"), el("dd", { "data-testid": "contract-value" }, fmtMoney(c.contract_value, c.currency)),
              el("dt", {}, "Auto-renew"), el("dd", {}, c.auto_renew ? "yes" : "no"),
              el("dt", {}, "Payment"), el("dd", {}, c.payment_status),
              el("dt", {}, "Billing"), el("dd", {}, c.billing_frequency),
            )
          : el("p", { class: "muted", "data-testid": "renewal" }, "No active contract."),
      ),
    ),
  );
}

startView<Result>("cs-account", render);
