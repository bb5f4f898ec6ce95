// The server's name and version, read once from package.json.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageJson(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string };
      if (pkg.name === "customer-success-mcp") return pkg;
    } catch {
      /* keep looking upwards */
    }
    dir = dirname(dir);
  }
  return { name: "customer-success-mcp", version: "0.0.0" };
}

const pkg = findPackageJson();
export const SERVER_NAME = pkg.name;
export const SERVER_VERSION = pkg.version;
