// Builds dist/pgdata-template.tar.gz: the embedded database after initdb and every migration, so that a
// first start unpacks it instead of running them (see src/db/pgdata-template.ts). Part of `npm run build`.
import { buildTemplate, templateDir } from "../dist/src/db/pgdata-template.js";

const started = Date.now();
const manifest = await buildTemplate(templateDir());
process.stderr.write(`pgdata template: PGlite ${manifest.pglite}, ${manifest.migrations.length} migrations, ${Date.now() - started} ms\n`);
