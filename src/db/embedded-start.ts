// The first step of opening the embedded database, light enough for cli.ts to run before the server's
// heavy modules load: the data directory, its lock, and (with CS_MCP_PGLITE_WORKER) the database's worker thread, which
// unpacks a new directory from the template and boots PostgreSQL while the main thread loads the rest.
import { join } from "node:path";
import type { Config } from "../config/load.ts";
import { lockDataDir, resolveDataDir } from "./data-dir.ts";
import { PGliteThread } from "./pglite-thread.ts";
import { INITDB_PARAMS, startSettings } from "./pglite-params.ts";

export interface EmbeddedStart {
  dir: string;
  pgdata: string;
  release(): void;
  /** The database's thread, started; absent when CS_MCP_PGLITE_WORKER=false (PGlite then opens in this thread). */
  thread?: PGliteThread;
}

export function startEmbedded(config: Pick<Config, "CS_MCP_DATA_DIR" | "CS_MCP_PGLITE_WORKER" | "CS_MCP_PGLITE_SHARED_BUFFERS_MB">): EmbeddedStart {
  const dir = resolveDataDir(config.CS_MCP_DATA_DIR);
  const release = lockDataDir(dir);
  const pgdata = join(dir, "pgdata");
  try {
    if (!config.CS_MCP_PGLITE_WORKER) return { dir, pgdata, release };
    const thread = new PGliteThread({ dataDir: pgdata, startParams: startSettings(config.CS_MCP_PGLITE_SHARED_BUFFERS_MB), initDbStartParams: INITDB_PARAMS, prepare: true });
    return { dir, pgdata, release, thread };
  } catch (err) {
    release();
    throw err;
  }
}
