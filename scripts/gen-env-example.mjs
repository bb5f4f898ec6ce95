// Writes .env.example and the README's configuration table from the built settings table.
import { readFileSync, writeFileSync } from "node:fs";
import { renderConfigTable, renderEnvExample } from "../dist/src/config/render.js";

writeFileSync(".env.example", renderEnvExample());
const readme = readFileSync("README.md", "utf8");
const start = "<!-- config:start -->";
const end = "<!-- config:end -->";
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error("README.md has no <!-- config:start --> / <!-- config:end --> markers");
writeFileSync("README.md", `${readme.slice(0, a + start.length)}\n${renderConfigTable()}\n${readme.slice(b)}`);
console.error("wrote .env.example and the README configuration table");
