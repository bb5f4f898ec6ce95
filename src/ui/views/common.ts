/// <reference lib="dom" />
// What the three views share: the connection to the host (the ext-apps App class over postMessage, the
// only channel a view has), the host's theme, DOM building without innerHTML (tool results hold
// customer-written text), number formats and a sortable table.
// The package's prebuilt browser bundle (App with its zod and SDK parts, 0.3 MB): about 30 % smaller than
// bundling them from source, where zod's locales come along.
import { App, applyDocumentTheme } from "@modelcontextprotocol/ext-apps/app-with-deps";

// The parts of the spec types used here (the package's .d.ts re-exports them through extensionless
// paths that NodeNext resolution does not follow).
interface HostContext { theme?: "light" | "dark" }
interface ContentBlock { type: string; text?: string }

export interface ViewContext {
  app: App;
  /** Whether the host lets the view call server tools. */
  canCallTools(): boolean;
  /** Calls a server tool through the host when the host offers it; null otherwise. */
  callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown> | null>;
}

/** Connects to the host and renders every tool result it delivers (structuredContent) into #app. */
export function startView<T>(name: string, render: (data: T, root: HTMLElement, ctx: ViewContext) => void): void {
  const root = document.getElementById("app")!;
  const app = new App({ name, version: "1.0.0" });
  const ctx: ViewContext = {
    app,
    canCallTools: () => Boolean(app.getHostCapabilities()?.serverTools),
    async callTool(tool, args) {
      if (!ctx.canCallTools()) return null;
      const r = await app.callServerTool({ name: tool, arguments: args });
      return r.isError ? null : ((r.structuredContent as Record<string, unknown> | undefined) ?? null);
    },
  };
  const applyContext = (hc: HostContext | undefined) => {
    if (hc?.theme) applyDocumentTheme(hc.theme);
  };
  app.onhostcontextchanged = applyContext;
  app.ontoolresult = (result: { isError?: boolean; structuredContent?: unknown; content?: ContentBlock[] }) => {
    root.replaceChildren();
    root.removeAttribute("aria-busy");
    if (result.isError || !result.structuredContent) {
      const text = result.content?.find((c) => c.type === "text");
      root.append(el("p", { class: "error", "data-testid": "error" }, text?.text !== undefined ? text.text : "The tool returned no structured result."));
      return;
    }
    render(result.structuredContent as T, root, ctx);
    root.dataset.rendered = "true";
  };
  void app.connect().then(() => applyContext(app.getHostContext()));
}

type Child = Node | string | number | null | undefined | false;

/** Builds an element; text goes in as text nodes, never as markup. */
export function el(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
export const fmtInt = (n: number): string => integer.format(n);
export const fmtMoney = (n: number, currency?: string): string => `${integer.format(Math.round(n))}${currency ? ` ${currency}` : ""}`;
export const fmtPct = (p: number): string => `${Math.round(p * 100)}%`;
export const dash = "—";

/** A metric tile: label and value, the value carrying data-testid for the tests and screen readers. */
export function tile(label: string, value: string, testid: string, tone?: string): HTMLElement {
  return el("div", { class: `tile${tone ? ` tone-${tone}` : ""}` }, el("div", { class: "tile-label" }, label), el("div", { class: "tile-value", "data-testid": testid }, value));
}

export interface Column<R> {
  key: string;
  label: string;
  /** The value sorted on; null sorts last in both directions. */
  value(r: R): number | string | null;
  cell?(r: R): Child;
  numeric?: boolean;
}

/** A table sorted by clicking a column header (again: reverse order); ties keep the tool's order. */
export function sortableTable<R>(rows: readonly R[], columns: readonly Column<R>[], testid: string): HTMLElement {
  const table = el("table", { "data-testid": testid });
  const tbody = el("tbody");
  let sortKey: string | null = null;
  let dir: 1 | -1 = 1;
  const headRow = el("tr");
  const draw = () => {
    const col = columns.find((c) => c.key === sortKey);
    const order = rows.map((r, i) => ({ r, i }));
    if (col) {
      order.sort((a, b) => {
        const x = col.value(a.r);
        const y = col.value(b.r);
        if (x === null || y === null) return x === y ? a.i - b.i : x === null ? 1 : -1;
        const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return c === 0 ? a.i - b.i : c * dir;
      });
    }
    tbody.replaceChildren(
      ...order.map(({ r }) => el("tr", {}, ...columns.map((c) => el("td", { class: c.numeric ? "num" : undefined, "data-col": c.key }, c.cell ? c.cell(r) : (c.value(r) ?? dash))))),
    );
    for (const th of Array.from(headRow.children) as HTMLElement[]) {
      th.setAttribute("aria-sort", th.dataset.key === sortKey ? (dir === 1 ? "ascending" : "descending") : "none");
    }
  };
  for (const c of columns) {
    const th = el("th", { "data-key": c.key, class: c.numeric ? "num" : undefined, scope: "col" }, el("button", { type: "button" }, c.label));
    th.addEventListener("click", () => {
      dir = sortKey === c.key ? (dir === 1 ? -1 : 1) : 1;
      sortKey = c.key;
      draw();
    });
    headRow.append(th);
  }
  table.append(el("thead", {}, headRow), tbody);
  draw();
  return table;
}

/** A horizontal bar of parts (counts or amounts), each with its legend entry. */
export function stackedBar(parts: ReadonlyArray<{ key: string; label: string; value: number; display: string }>, testid: string): HTMLElement {
  const total = parts.reduce((s, p) => s + p.value, 0);
  const bar = el("div", { class: "bar", role: "img", "aria-label": parts.map((p) => `${p.label} ${p.display}`).join(", ") });
  for (const p of parts) if (p.value > 0) bar.append(el("span", { class: `seg seg-${p.key}`, style: `flex-grow:${p.value / (total || 1)}` }));
  const legend = el("ul", { class: "legend" }, ...parts.map((p) => el("li", { "data-key": p.key }, el("span", { class: `dot seg-${p.key}` }), `${p.label} `, el("b", { class: "count" }, p.display))));
  return el("div", { class: "stack", "data-testid": testid }, bar, legend);
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return el("section", {}, el("h2", {}, title), ...children);
}
