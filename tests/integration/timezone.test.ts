// Dates are computed in UTC whatever the host's or the database's default zone: a session in another zone
// shifts every date bucket and every comparison between a raw-SQL bound and a row Prisma wrote.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { ADMIN_URL, embeddedDataDir, postgresDatabase } from "../helpers/databases.ts";

const INSTANT = new Date("2026-06-20T23:30:00.000Z"); // 2026-06-21 in Kiritimati (UTC+14)

async function checkUtc(db: Database) {
  const [zone] = await db.query<{ tz: string }>(`SELECT current_setting('TimeZone') AS tz`);
  expect(zone!.tz).toBe("UTC");
  const viaPrisma = await db.prisma.$queryRawUnsafe<Array<{ tz: string }>>(`SELECT current_setting('TimeZone') AS tz`);
  expect(viaPrisma[0]!.tz).toBe("UTC");
  // A date bucket of an instant written as an ISO string is its UTC date.
  const [day] = await db.query<{ d: string }>(`SELECT to_char(date_trunc('day', $1::timestamptz), 'YYYY-MM-DD') AS d`, [INSTANT.toISOString()]);
  expect(day!.d).toBe("2026-06-20");
}

describe("database sessions run in UTC", () => {
  const opened: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of opened) await close();
  });

  it("embedded: PGlite in a process whose zone is UTC+14", async () => {
    const before = process.env.TZ;
    process.env.TZ = "Pacific/Kiritimati";
    const { dir, remove } = embeddedDataDir();
    try {
      const db = await openDatabase(loadConfig({ CS_MCP_DATA_DIR: dir, LOG_LEVEL: "silent" }), createLogger("silent"));
      opened.push(async () => (await db.close(), remove()));
      await checkUtc(db);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it.skipIf(!ADMIN_URL)("postgres: a database whose default zone is UTC+14", async () => {
    const { url, drop } = await postgresDatabase();
    const name = new URL(url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${name}" SET timezone TO 'Pacific/Kiritimati'`);
    await admin.end();
    const db = await openDatabase(loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent" }), createLogger("silent"), { migrate: true });
    opened.push(async () => (await db.close(), await drop()));
    await checkUtc(db);
  });
});
