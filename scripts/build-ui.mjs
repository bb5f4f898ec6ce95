// Builds the MCP Apps views into dist/ui/<view>.html: each page is self-contained (the view's code and
// the ext-apps App client bundled by esbuild and inlined, the shared CSS inlined) so a host can load it
// in a sandboxed iframe with no network at all. src/ui/index.ts serves these files as ui:// resources.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const VIEWS = { portfolio: "Portfolio health", account: "Account", renewals: "Renewal pipeline" };
// No network from the page itself either (defence in depth under the host's own CSP).
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'";
const css = readFileSync("src/ui/views/style.css", "utf8");

mkdirSync("dist/ui", { recursive: true });
for (const [name, title] of Object.entries(VIEWS)) {
  const out = await build({
    entryPoints: [`src/ui/views/${name}.ts`],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "warning",
  });
  const js = out.outputFiles[0].text;
  if (/<\/script/i.test(js)) throw new Error(`${name}: the bundle contains "</script" and cannot be inlined`);
  const html =
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}"><title>${title}</title><style>${css}</style>` +
    `<script type="application/json" id="view-config">{}</script></head>` +
    `<body><main id="app" aria-busy="true"><p class="muted">Waiting for the tool result…</p></main><script>${js}</script></body></html>\n`;
  writeFileSync(`dist/ui/${name}.html`, html);
}
