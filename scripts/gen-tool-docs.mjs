// Writes docs/tools.md, the tool reference, from the built tool registry (npm run docs:tools).
import { writeFileSync } from "node:fs";
import { renderToolReference } from "../dist/src/tools/reference.js";

writeFileSync("docs/tools.md", renderToolReference());
console.error("wrote docs/tools.md");
