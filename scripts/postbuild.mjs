// Makes the built CLI executable, so `cs-mcp` works from node_modules/.bin and after `npm link`.
import { chmodSync, existsSync } from "node:fs";

const entry = "dist/src/cli.js";
if (existsSync(entry)) chmodSync(entry, 0o755);

// The MCP Apps views (dist/ui/*.html), bundled by esbuild: see scripts/build-ui.mjs.
await import("./build-ui.mjs");

// The pre-initialised embedded data directory a first start unpacks (dist/pgdata-template.tar.gz).
await import("./build-pgdata-template.mjs");
