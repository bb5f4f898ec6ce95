// The three MCP Apps views in a real headless Chromium (Debian's chromium, driven by playwright-core):
// a small host page loads each ui:// resource's HTML into a sandboxed iframe and hands it a REAL tool
// result through the ext-apps AppBridge; the numbers the view shows must equal the tool's
// structuredContent, in the light and the dark theme. Screenshots for the README are written to
// docs/screenshots/ only when UPDATE_SCREENSHOTS=1 (`npm run screenshots`): a test never compares pixels.
import { createServer, type Server } from "node:http";
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { build } from "esbuild";
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { pipelineFor } from "../helpers/pipeline.ts";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { loadDemo } from "../../src/services/demo/index.ts";
import { UI_RESOURCES } from "../../src/ui/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const DAY = 86_400_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = process.env.UPDATE_SCREENSHOTS === "1";
const THEMES = ["light", "dark"] as const;
type Theme = (typeof THEMES)[number];
// Expected page backgrounds of the two themes (style.css --bg).
const BACKGROUND: Record<Theme, string> = { light: "rgb(255, 255, 255)", dark: "rgb(22, 24, 28)" };

/** Digits of a formatted figure as a number ("1,234 USD" → 1234). */
const EXTRA_ACCOUNTS = 110;
const COMPONENTS = ["usage", "engagement", "support", "satisfaction", "payment"] as const;
const num = (s: string | null) => Number((s ?? "").replace(/[^\d.-]/g, ""));
const resource = (name: string) => UI_RESOURCES.find((r) => r.name === name)!;

let browser: Browser;
let server: Server;
let hostUrl: string;

beforeAll(async () => {
  const bundle = await build({ entryPoints: ["tests/ui/host.ts"], bundle: true, format: "iife", platform: "browser", write: false, logLevel: "warning" });
  const hostJs = bundle.outputFiles[0]!.text;
  server = createServer((req, res) => {
    if (req.url === "/host.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(hostJs);
    if (req.url === "/") return void res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><html><body style="margin:0"><script src="/host.js"></script></body></html>');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe.each(BACKENDS)("MCP Apps views in headless Chromium (%s)", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const requests: string[] = [];

  beforeAll(async () => {
    // Churn thresholds off the defaults: the views must count with the server's configuration, and with
    // high from 0.6 an account is at risk by churn alone (not by band), which the ARR at risk must include.
    t = await openTestDb(backend, { CHURN_HIGH_FROM: "0.6", CHURN_MEDIUM_FROM: "0.3", CHURN_LOW_FROM: "0.1" });
    await loadDemo(t.db, { seed: 11, accounts: 25, now: NOW });
    // Three stored health scores per account (60 and 30 days ago, today) and today's churn predictions,
    // so list_clients carries bands and probabilities and the account view has a history to draw.
    for (const daysAgo of [60, 30, 0]) await callOk(pipelineFor(t, ALL_TOOLS, new Date(NOW.getTime() - daysAgo * DAY)), "calculate_health_score", { all: true });
    p = pipelineFor(t, ALL_TOOLS, NOW);
    await callOk(p, "identify_churn_risk", {});
    // More accounts than one list_clients page (at most 100): the portfolio view must count them all.
    await t.db.prisma.account.createMany({
      data: Array.from({ length: EXTRA_ACCOUNTS }, (_, i) => ({ id: `cs_1750000000_extra_${String(i).padStart(3, "0")}`, client_name: `Extra ${i}`, company_name: `Extra Account ${i}`, company_key: `extra account ${i}`, tier: "starter" as const, arr: 1000 + i * 37 })),
    });
  }, 240_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  async function callOk(pl: ToolPipeline, name: string, args: Record<string, unknown>) {
    const r = await pl.call(name, args);
    if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
    return r;
  }

  /** Opens the host page, mounts the view with the tool's result, waits for it to render. */
  async function show(viewName: string, tool: string, args: Record<string, unknown>, theme: Theme | undefined, opts: { colorScheme?: Theme; serverTools?: boolean } = {}) {
    const result = await callOk(p, tool, args);
    const view = resource(viewName);
    expect(view.tools).toContain(tool);
    const page = await browser.newPage({ viewport: { width: 1000, height: SHOTS ? 1800 : 800 }, colorScheme: opts.colorScheme ?? theme ?? "light" });
    page.on("request", (r) => requests.push(r.url()));
    await page.exposeFunction("hostCallTool", async (name: string, a: Record<string, unknown>) => p.call(name, a));
    await page.goto(hostUrl);
    await page.evaluate((m) => window.mountView(m), { html: view.html(t.config), input: args, result: result as unknown as Record<string, unknown>, theme, serverTools: opts.serverTools ?? true });
    const frame = page.frameLocator("iframe#view");
    await frame.locator("#app[data-rendered=true]").waitFor();
    return { page, frame, data: result.structuredContent as any };
  }

  async function expectTheme(frame: FrameLocator, theme: Theme) {
    const bg = await frame.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor);
    expect(bg).toBe(BACKGROUND[theme]);
  }

  async function screenshot(page: Page, file: string) {
    if (!SHOTS || backend !== "embedded") return;
    mkdirSync("docs/screenshots", { recursive: true });
    // The host sized the frame to the view's reported height; wait until that happened.
    await page.waitForFunction(() => parseFloat(document.getElementById("view")!.style.height) !== 400);
    await page.locator("iframe#view").screenshot({ path: `docs/screenshots/${file}` });
  }

  const texts = (scope: FrameLocator | Locator, sel: string) => scope.locator(sel).allTextContents();

  it.each(THEMES)("portfolio view shows list_clients' bands, churn levels, ARR at risk and a sortable table (%s)", async (theme) => {
    const { page, frame, data } = await show("portfolio_view", "list_clients", { limit: 100 }, theme);
    try {
      await expectTheme(frame, theme);
      // One page of 100 came with the result; the view fetched the rest through the host with the result's cursor.
      const accounts = await t.db.prisma.account.count();
      expect(accounts).toBe(25 + EXTRA_ACCOUNTS);
      expect([data.count, data.total]).toEqual([100, accounts]);
      await frame.locator("[data-testid=scope][data-complete=true]").waitFor();
      expect(await page.evaluate(() => window.hostToolCalls)).toEqual([{ name: "list_clients", arguments: { sort_by: "company_name", sort_order: "asc", limit: 100, cursor: data.next_cursor } }]);
      const rest = (await callOk(p, "list_clients", { limit: 100, cursor: data.next_cursor })).structuredContent as any;
      expect(rest.next_cursor).toBeNull();
      const rows = [...data.clients, ...rest.clients] as Array<{ arr: number; health_band: string | null; health_score: number | null; churn_probability: number | null; company_name: string }>;
      expect(rows.length).toBe(accounts);
      expect(num(await frame.getByTestId("accounts").textContent())).toBe(accounts);
      expect(await frame.getByTestId("scope").textContent()).toBe(`All ${accounts} accounts`);
      const arrSum = await t.db.prisma.account.aggregate({ _sum: { arr: true } });
      expect(num(await frame.getByTestId("arr-total").textContent())).toBe(Math.round(Number(arrSum._sum.arr)));
      expect(new Set(rows.map((r) => r.health_band)).size).toBeGreaterThan(2);
      const high = t.config.CHURN_HIGH_FROM;
      for (const band of ["at_risk", "needs_attention", "healthy", "champion", "none"]) {
        expect(num(await frame.locator(`[data-testid=bands] li[data-key=${band}] .count`).textContent()), band).toBe(rows.filter((r) => (r.health_band ?? "none") === band).length);
      }
      const level = (q: number | null) => (q === null ? "none" : q >= high ? "high" : q >= t.config.CHURN_MEDIUM_FROM ? "medium" : q >= t.config.CHURN_LOW_FROM ? "low" : "minimal");
      for (const l of ["high", "medium", "low", "minimal", "none"]) {
        expect(num(await frame.locator(`[data-testid=churn-levels] li[data-key=${l}] .count`).textContent()), l).toBe(rows.filter((r) => level(r.churn_probability) === l).length);
      }
      const atRisk = rows.filter((r) => r.health_band === "at_risk" || (r.churn_probability !== null && r.churn_probability >= high));
      expect(atRisk.some((r) => r.health_band !== "at_risk")).toBe(true);
      expect(atRisk.some((r) => r.churn_probability === null || r.churn_probability < high)).toBe(true);
      expect(num(await frame.getByTestId("arr-at-risk").textContent())).toBe(Math.round(atRisk.reduce((s, r) => s + r.arr, 0)));
      expect(num(await frame.getByTestId("accounts-at-risk").textContent())).toBe(atRisk.length);
      expect(num(await frame.getByTestId("arr-total").textContent())).toBe(Math.round(rows.reduce((s, r) => s + r.arr, 0)));

      const table = frame.getByTestId("accounts-table");
      expect(await table.locator("tbody tr").count()).toBe(rows.length);
      // Unsorted: the tool's order. Then ARR ascending, then descending, then health (nulls last).
      expect(await texts(table, "tbody td[data-col=company_name]")).toEqual(rows.map((r) => r.company_name));
      const arrs = rows.map((r) => Math.round(r.arr));
      await table.locator("th[data-key=arr] button").click();
      expect((await texts(table, "tbody td[data-col=arr]")).map(num)).toEqual([...arrs].sort((a, b) => a - b));
      expect(await table.locator("th[data-key=arr]").getAttribute("aria-sort")).toBe("ascending");
      await table.locator("th[data-key=arr] button").click();
      expect((await texts(table, "tbody td[data-col=arr]")).map(num)).toEqual([...arrs].sort((a, b) => b - a));
      await table.locator("th[data-key=health_score] button").click();
      const scores = rows.map((r) => r.health_score);
      const scored = scores.filter((x): x is number => x !== null).sort((a, b) => a - b);
      expect(scored.length).toBeLessThan(scores.length);
      expect((await texts(table, "tbody td[data-col=health_score]")).map((x) => (x === "—" ? null : num(x)))).toEqual([...scored, ...scores.filter((x) => x === null)]);
      await screenshot(page, `portfolio-${theme}.png`);
    } finally {
      await page.close();
    }
  });

  it.each(THEMES)("account view shows get_client_overview's components, tickets, renewal and the stored health history (%s)", async (theme) => {
    // The demo account with the most open tickets (independently of the tool: counted in the database).
    const open = await t.db.prisma.supportTicket.groupBy({ by: ["account_id"], where: { status: { in: ["open", "pending", "in_progress"] } }, _count: { _all: true } });
    const busiest = open.sort((a, b) => b._count._all - a._count._all || a.account_id.localeCompare(b.account_id))[0]!;
    const { page, frame, data } = await show("account_view", "get_client_overview", { client_id: busiest.account_id }, theme);
    try {
      await expectTheme(frame, theme);
      expect(await frame.getByTestId("company").textContent()).toBe(data.profile.company_name);
      expect(num(await frame.getByTestId("health-score").textContent())).toBe(data.health.overall_score);
      for (const c of COMPONENTS) {
        const shown = await frame.locator(`[data-component=${c}] .meter-value`).textContent();
        expect(shown, c).toBe(data.health.components[c] === null ? "—" : String(data.health.components[c]));
      }
      expect(num(await frame.getByTestId("open-tickets").textContent())).toBe(busiest._count._all);
      expect(data.support.open_tickets).toBe(busiest._count._all);
      for (const k of ["P1", "P2", "P3", "P4"]) expect(await frame.locator(`[data-priority=${k}]`).textContent()).toBe(`${k} ${data.support.by_priority[k]}`);
      const byPriority = await t.db.prisma.supportTicket.groupBy({ by: ["priority"], where: { account_id: busiest.account_id, status: { in: ["open", "pending", "in_progress"] } }, _count: { _all: true } });
      for (const k of ["P1", "P2", "P3", "P4"]) expect(data.support.by_priority[k], k).toBe(byPriority.find((g) => g.priority === k)?._count._all ?? 0);
      expect(await frame.locator("[data-testid=recent-tickets] li").count()).toBe(data.support.recent_open.length);
      expect(await frame.getByTestId("renewal-date").textContent()).toBe(data.contract.renewal_date);
      expect(num(await frame.getByTestId("days-to-renewal").textContent())).toBe(data.contract.days_to_renewal);
      // Health components over time: the result's history is every stored score of the account (3 runs,
      // oldest first), read here from the database; the chart and the table show exactly those numbers.
      const stored = await t.db.prisma.healthScore.findMany({ where: { account_id: busiest.account_id }, orderBy: { calculated_at: "asc" } });
      expect(stored.length).toBe(3);
      const expected = stored.map((s) => ({ calculated_at: s.calculated_at.toISOString(), overall_score: s.overall_score, usage: s.usage_score, engagement: s.engagement_score, support: s.support_score, satisfaction: s.satisfaction_score, payment: s.payment_score }));
      expect(data.health.history).toEqual(expected);
      const cols = ["overall_score", ...COMPONENTS] as const;
      const table = frame.getByTestId("history-table");
      expect(await texts(table, "tbody td[data-col=calculated_at]")).toEqual(expected.map((e) => e.calculated_at.slice(0, 10)));
      for (const c of cols) {
        expect(await texts(table, `tbody td[data-col=${c}]`), c).toEqual(expected.map((e) => (e[c] === null ? "—" : String(e[c]))));
        const dots = await frame.locator(`[data-testid=history-chart] circle[data-series=${c}]`).evaluateAll((cs) => cs.map((x) => Number(x.getAttribute("data-value"))));
        expect(dots, c).toEqual(expected.map((e) => e[c]).filter((v) => v !== null));
      }
      // Components vary between runs: the chart is not three copies of one point.
      expect(new Set(expected.map((e) => e.usage)).size).toBeGreaterThan(1);
      // Drawn from the result itself: the view asks the host for nothing.
      expect(await page.evaluate(() => window.hostToolCalls)).toEqual([]);
      await screenshot(page, `account-${theme}.png`);
    } finally {
      await page.close();
    }
  });

  it.each(THEMES)("renewal pipeline shows track_renewals' totals, risk split and renewals by date (%s)", async (theme) => {
    const { page, frame, data } = await show("renewal_pipeline_view", "track_renewals", { days_until_renewal: 365 }, theme);
    try {
      await expectTheme(frame, theme);
      const totals = data.totals;
      expect(totals.renewals).toBeGreaterThan(0);
      expect(num(await frame.getByTestId("renewals").textContent())).toBe(totals.renewals);
      expect(num(await frame.getByTestId("arr-due").textContent())).toBe(Math.round(totals.arr_due));
      expect(num(await frame.getByTestId("arr-high").textContent())).toBe(Math.round(totals.by_risk_level.high.arr));
      expect(num(await frame.getByTestId("arr-auto").textContent())).toBe(Math.round(totals.auto_renew.arr));
      expect(num(await frame.getByTestId("notice-passed").textContent())).toBe(totals.notice_deadline_passed);
      for (const l of ["high", "medium", "low", "minimal"]) {
        expect(num(await frame.locator(`[data-testid=risk-levels] li[data-key=${l}] .count`).textContent()), l).toBe(Math.round(totals.by_risk_level[l].arr));
      }
      const table = frame.getByTestId("renewals-table");
      expect(await table.locator("tbody tr").count()).toBe(data.renewals.length);
      expect(await texts(table, "tbody td[data-col=renewal_date]")).toEqual(data.renewals.map((r: { renewal_date: string }) => r.renewal_date));
      await table.locator("th[data-key=arr] button").click();
      await table.locator("th[data-key=arr] button").click();
      expect((await texts(table, "tbody td[data-col=arr]")).map(num)).toEqual(data.renewals.map((r: { arr: number }) => Math.round(r.arr)).sort((a: number, b: number) => b - a));
      await screenshot(page, `renewals-${theme}.png`);
    } finally {
      await page.close();
    }
  });

  it("follows the system colour scheme when the host gives no theme, and draws the history without host tool calls", async () => {
    const first = await t.db.prisma.account.findFirstOrThrow({ orderBy: { id: "asc" } });
    const { page, frame, data } = await show("account_view", "get_client_overview", { client_id: first.id }, undefined, { colorScheme: "dark", serverTools: false });
    try {
      await expectTheme(frame, "dark");
      expect(data.health.history.length).toBe(3);
      expect(await frame.locator("[data-testid=history-table] tbody tr").count()).toBe(3);
      expect(await page.evaluate(() => window.hostToolCalls)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("without host tool calls the portfolio view counts the page it got and says so", async () => {
    const { page, frame, data } = await show("portfolio_view", "list_clients", { limit: 10, sort_by: "arr", sort_order: "desc" }, "light", { serverTools: false });
    try {
      const rows = data.clients as Array<{ arr: number }>;
      expect([rows.length, data.total]).toEqual([10, 25 + EXTRA_ACCOUNTS]);
      const scope = frame.getByTestId("scope");
      expect(await scope.getAttribute("data-complete")).toBe("false");
      expect(await scope.textContent()).toBe(`10 of ${data.total} accounts: this page only (the host does not let the view fetch the rest)`);
      expect(num(await frame.getByTestId("accounts").textContent())).toBe(10);
      expect(num(await frame.getByTestId("arr-total").textContent())).toBe(Math.round(rows.reduce((x, r) => x + r.arr, 0)));
      expect(await page.evaluate(() => window.hostToolCalls)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("shows the tool's error text when the result is an error, instead of an empty dashboard", async () => {
    const result = await p.call("get_client_overview", { client_id: "cs_1700000000_no_such_account" });
    expect(result.isError).toBe(true);
    const page = await browser.newPage();
    try {
      await page.goto(hostUrl);
      await page.evaluate((m) => window.mountView(m), { html: resource("account_view").html(), input: {}, result: result as unknown as Record<string, unknown>, theme: "light" as const, serverTools: true });
      const shown = await page.frameLocator("iframe#view").getByTestId("error").textContent();
      expect(shown).toBe((result.content[0] as { text: string }).text);
      expect(shown).toContain("cs_1700000000_no_such_account");
    } finally {
      await page.close();
    }
  });

  it("the views load nothing from the network: the only requests are the host page's own", async () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const u of requests) expect(u.startsWith(hostUrl), u).toBe(true);
  });
});
