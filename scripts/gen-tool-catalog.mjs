// Writes src/tools/catalog.generated.ts, the build-time tool catalog, from the built definitions
// (npm run gen:catalog builds, writes it, then compiles it into dist).
import { writeFileSync } from "node:fs";
import { renderCatalog } from "../dist/src/tools/catalog-render.js";

writeFileSync("src/tools/catalog.generated.ts", await renderCatalog());
console.error("wrote src/tools/catalog.generated.ts");
