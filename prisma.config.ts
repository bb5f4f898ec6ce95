// Prisma 7 configuration. The connection URL is not needed to generate the client; migrations are
// applied by our own runner (src/db/migrate.ts) so the CLI's schema-engine binary is never required.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
