// The MCP Apps resources and the tool links agree: every uri is a unique ui:// resource of the Apps
// mime type, every linked tool exists and only reads, uiToolMeta gives exactly the linked tools the
// spec's _meta keys, and each page is self-contained (no network, thresholds from the server's config).
import { describe, expect, it } from "vitest";
import { RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from "@modelcontextprotocol/ext-apps/server";
import { getToolUiResourceUri } from "@modelcontextprotocol/ext-apps/app-bridge";
import { ALL_TOOLS } from "../../src/tools/definitions.ts";
import { UI_RESOURCES, uiToolMeta } from "../../src/ui/index.ts";
import { loadConfig } from "../../src/config/load.ts";

describe("UI resources", () => {
  it("are three ui:// resources with unique uris and names, of the MCP Apps mime type, with a no-network CSP", () => {
    expect(UI_RESOURCES.map((r) => r.name).sort()).toEqual(["account_view", "portfolio_view", "renewal_pipeline_view"]);
    expect(new Set(UI_RESOURCES.map((r) => r.uri)).size).toBe(UI_RESOURCES.length);
    expect(new Set(UI_RESOURCES.map((r) => r.name)).size).toBe(UI_RESOURCES.length);
    for (const r of UI_RESOURCES) {
      expect(r.uri).toMatch(/^ui:\/\/customer-success\/[a-z]+\.html$/);
      expect(r.mimeType).toBe(RESOURCE_MIME_TYPE);
      expect(r.mimeType).toBe("text/html;profile=mcp-app");
      expect(r._meta.ui.csp).toEqual({ connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] });
    }
  });

  it("link only tools that exist and only read (rendering a view never writes)", () => {
    const byName = new Map(ALL_TOOLS.map((t) => [t.name, t]));
    const linked = UI_RESOURCES.flatMap((r) => r.tools);
    expect(linked.length).toBeGreaterThan(0);
    expect(new Set(linked).size).toBe(linked.length);
    for (const name of linked) {
      expect(byName.has(name), name).toBe(true);
      expect(byName.get(name)!.annotations.readOnlyHint, name).toBe(true);
    }
  });

  it("uiToolMeta gives a linked tool both _meta keys hosts read, and nothing to any other tool", () => {
    for (const r of UI_RESOURCES) {
      for (const tool of r.tools) {
        const meta = uiToolMeta(tool)!;
        expect(meta).toEqual({ ui: { resourceUri: r.uri }, [RESOURCE_URI_META_KEY]: r.uri });
        // The package's own host-side reader finds the resource from the tool definition.
        expect(getToolUiResourceUri({ name: tool, _meta: meta })).toBe(r.uri);
      }
    }
    const linked = new Set(UI_RESOURCES.flatMap((r) => r.tools));
    for (const t of ALL_TOOLS) if (!linked.has(t.name)) expect(uiToolMeta(t.name), t.name).toBeUndefined();
    expect(uiToolMeta("no_such_tool")).toBeUndefined();
  });

  it("pages are self-contained: inline script and style only, a no-network CSP, no external reference", () => {
    for (const r of UI_RESOURCES) {
      const html = r.html();
      expect(html.startsWith("<!doctype html>")).toBe(true);
      expect(html).toContain("connect-src 'none'");
      expect(html).toContain("default-src 'none'");
      expect(html).not.toMatch(/<script[^>]+src=/i);
      expect(html).not.toMatch(/<link[^>]+href=/i);
      expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
      expect(html).toContain("ui/initialize");
    }
  });

  it("carry the churn level thresholds of the server's configuration (defaults without one)", () => {
    const portfolio = UI_RESOURCES.find((r) => r.name === "portfolio_view")!;
    const block = (html: string) => JSON.parse(/<script type="application\/json" id="view-config">(.*?)<\/script>/.exec(html)![1]!);
    expect(block(portfolio.html())).toEqual({ churn_levels: { high: 0.7, medium: 0.4, low: 0.15 } });
    const config = loadConfig({ CS_MCP_DATA_DIR: "/nonexistent", CHURN_HIGH_FROM: "0.8", CHURN_MEDIUM_FROM: "0.5", CHURN_LOW_FROM: "0.2" });
    expect(block(portfolio.html(config))).toEqual({ churn_levels: { high: 0.8, medium: 0.5, low: 0.2 } });
  });
});
