// The MCP Apps views (SEP-1865, @modelcontextprotocol/ext-apps 1.7.x): three ui:// resources, each a
// self-contained HTML page built by scripts/build-ui.mjs into dist/ui/, and the _meta a tool definition
// carries so that an Apps host renders the linked view with the tool's structuredContent. Clients
// without Apps support ignore both and keep reading the tool's text and JSON.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/load.ts";
import { SETTINGS } from "../config/settings.ts";

// The resource half of the spec's McpUiResourceMeta (the package's .d.ts re-exports it through an
// extensionless path that NodeNext resolution does not follow, so the shape is spelled out here).
export interface UiResourceMeta {
  csp: { connectDomains: string[]; resourceDomains: string[]; frameDomains: string[]; baseUriDomains: string[] };
  prefersBorder?: boolean;
}

export type ChurnThresholds = Pick<Config, "CHURN_HIGH_FROM" | "CHURN_MEDIUM_FROM" | "CHURN_LOW_FROM">;

export interface UiResource {
  uri: string;
  name: string;
  title: string;
  description: string;
  mimeType: "text/html;profile=mcp-app";
  _meta: { ui: UiResourceMeta };
  /** The page; `config` gives the churn level thresholds the portfolio view counts with (defaults otherwise). */
  html(config?: ChurnThresholds): string;
  /** The tools whose results this view renders. */
  tools: readonly string[];
}

// No network at all: the views only talk to the host over postMessage. Empty lists are the spec's
// "no connections, no external resources" (connect-src 'none', nothing beyond inline script/style).
const NO_NETWORK: UiResourceMeta = { csp: { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] }, prefersBorder: true };

// The spec's two names, spelled here: importing them from @modelcontextprotocol/ext-apps/server parsed its
// 30 KB bundle at every start for two strings (tests/unit/ui-resources.test.ts checks them against it).
const MIME = "text/html;profile=mcp-app";
const RESOURCE_URI_META_KEY = "ui/resourceUri";

function view(file: string, uri: string, name: string, title: string, description: string, tools: readonly string[]): UiResource {
  return { uri, name, title, description, mimeType: MIME, _meta: { ui: NO_NETWORK }, tools, html: (config) => pageHtml(file, config) };
}

export const UI_RESOURCES: readonly UiResource[] = [
  view("portfolio.html", "ui://customer-success/portfolio.html", "portfolio_view", "Portfolio health",
    "Dashboard of a list_clients result: health bands, churn levels, ARR at risk and a sortable account table.", ["list_clients"]),
  view("account.html", "ui://customer-success/account.html", "account_view", "Account",
    "Dashboard of a get_client_overview result: health components, health over time, open tickets and renewal.", ["get_client_overview"]),
  view("renewals.html", "ui://customer-success/renewals.html", "renewal_pipeline_view", "Renewal pipeline",
    "Dashboard of a track_renewals result: ARR due by churn risk level and the renewals by date.", ["track_renewals"]),
];

/** The `_meta` the definition of a linked tool carries (both the current key and the older flat one hosts still read). */
export function uiToolMeta(toolName: string): Record<string, unknown> | undefined {
  const r = UI_RESOURCES.find((v) => v.tools.includes(toolName));
  if (!r) return undefined;
  return { ui: { resourceUri: r.uri }, [RESOURCE_URI_META_KEY]: r.uri };
}

function settingDefault(env: keyof ChurnThresholds): number {
  const s = SETTINGS.find((x) => x.env === env);
  if (!s) throw new Error(`setting ${env} is not defined`);
  return Number(s.default);
}

const pages = new Map<string, string>();

/** dist/ui/<file>, found from src/ui (tests, tsx) and from dist/src/ui (the built server). */
function readPage(file: string): string {
  const cached = pages.get(file);
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "dist", "ui", file);
    if (existsSync(candidate)) {
      const html = readFileSync(candidate, "utf8");
      pages.set(file, html);
      return html;
    }
    dir = dirname(dir);
  }
  throw new Error(`dist/ui/${file} not found: run \`npm run build\``);
}

// The page reads the thresholds from this JSON block (a data island: not executed, no network).
const CONFIG_MARK = '<script type="application/json" id="view-config">{}</script>';

function pageHtml(file: string, config?: ChurnThresholds): string {
  const levels = {
    high: config?.CHURN_HIGH_FROM ?? settingDefault("CHURN_HIGH_FROM"),
    medium: config?.CHURN_MEDIUM_FROM ?? settingDefault("CHURN_MEDIUM_FROM"),
    low: config?.CHURN_LOW_FROM ?? settingDefault("CHURN_LOW_FROM"),
  };
  const page = readPage(file);
  if (!page.includes(CONFIG_MARK)) throw new Error(`dist/ui/${file} has no view-config block: rebuild with \`npm run build\``);
  return page.replace(CONFIG_MARK, `<script type="application/json" id="view-config">${JSON.stringify({ churn_levels: levels })}</script>`);
}
