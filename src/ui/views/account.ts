/// <reference lib="dom" />
// One account, from a get_client_overview result: health and its five components, the stored health
// scores over time (get_client_timeline, asked through the host when it lets views call tools), open
// tickets and the renewal.
import type { z } from "zod";
import type { getClientOverview } from "../../tools/core/get-client-overview.ts";
import { dash, el, fmtInt, fmtMoney, section, startView, tile, type ViewContext } from "./common.ts";

type Result = z.output<(typeof getClientOverview)["output"]>;
const COMPONENTS = ["usage", "engagement", "support", "satisfaction", "payment"] as const;
const SVG = "http://www.w3.org/2000/svg";

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Health scores over time as a line, oldest left; points without a score are skipped. */
function history(points: Array<{ at: string; score: number }>): HTMLElement {
  if (points.length === 0) return el("p", { class: "muted", "data-testid": "history-empty" }, "No stored health scores.");
  const w = 320;
  const h = 80;
  const x = (i: number) => (points.length === 1 ? w / 2 : 8 + (i * (w - 16)) / (points.length - 1));
  const y = (s: number) => h - 6 - (s / 100) * (h - 12);
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h}`, class: "spark", role: "img", "aria-label": `Health from ${points[0]!.score} to ${points[points.length - 1]!.score}` });
  chart.append(svg("polyline", { points: points.map((p, i) => `${x(i)},${y(p.score)}`).join(" "), fill: "none", class: "spark-line" }));
  points.forEach((p, i) => chart.append(svg("circle", { cx: x(i), cy: y(p.score), r: 2.5, class: "spark-dot", "data-score": p.score, "data-at": p.at })));
  return el(
    "div",
    { "data-testid": "history", "data-points": points.length },
    chart,
    el("p", { class: "muted small" }, `${points.length} stored scores, ${points[0]!.at.slice(0, 10)} → ${points[points.length - 1]!.at.slice(0, 10)}`),
  );
}

async function loadHistory(clientId: string, ctx: ViewContext, into: HTMLElement): Promise<void> {
  const r = await ctx.callTool("get_client_timeline", { client_id: clientId, event_types: ["health_score"], limit: 100 }).catch(() => null);
  if (!r) {
    into.replaceChildren(el("p", { class: "muted", "data-testid": "history-unavailable" }, "History needs a host that lets views call get_client_timeline."));
    return;
  }
  const events = (r as { events: Array<{ occurred_at: string; data: { overall_score?: number | null } }> }).events;
  const points = events
    .filter((e) => typeof e.data.overall_score === "number")
    .map((e) => ({ at: e.occurred_at, score: e.data.overall_score as number }))
    .reverse();
  into.replaceChildren(history(points));
}

function render(o: Result, root: HTMLElement, ctx: ViewContext): void {
  const p = o.profile;
  const hl = o.health;
  const c = o.contract;
  const historyBox = el("div", { class: "history" }, el("p", { class: "muted" }, "Loading history…"));
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
      section("Health over time", historyBox),
    ),
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
  void loadHistory(o.client_id, ctx, historyBox);
}

startView<Result>("cs-account", render);
