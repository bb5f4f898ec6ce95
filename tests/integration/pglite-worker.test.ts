// The embedded database in its worker thread (src/db/remote-pglite.ts) behaves as PGlite in this thread:
// the same parsed values through the Prisma adapter and PGlite's own parsers, the same DatabaseError
// fields and tool errors, transactions that roll back when their callback throws and that make other
// statements wait, a stopped worker that fails calls at once, and a close that frees the data directory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { embeddedDataDir } from "../helpers/databases.ts";
import { loadConfig } from "../../src/config/load.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { openDatabase } from "../../src/db/database.ts";
import { DatabaseWorkerStoppedError, RemotePGlite } from "../../src/db/remote-pglite.ts";
import { pgliteQuery } from "../../src/db/pglite-query.ts";
import { toSafeError } from "../../src/server/errors.ts";

const silent = createLogger("silent");

// One value of each kind the repositories read: timestamps, dates, numerics, json, bytea, int8, arrays (an enum's too), nulls.
const VALUES_SQL = `SELECT
  timestamptz '2026-03-04 05:06:07.089+00' AS ts, date '2026-03-04' AS d, timestamp '2026-03-04 05:06:07' AS tsn,
  12345.678::numeric(14,3) AS num, 9007199254740993::int8 AS big, 42::int4 AS i, 1.5::float8 AS f, true AS b,
  '{"a":[1,2,{"b":null}]}'::jsonb AS jb, '{"x": 1}'::json AS j, '\\xdeadbeef'::bytea AS bin,
  ARRAY['a','b,c',NULL]::text[] AS texts, ARRAY[1,2,3]::int4[] AS ints, ARRAY[timestamptz '2026-01-01 00:00:00+00'] AS tss,
  ARRAY['enterprise','standard']::"Tier"[] AS tiers, 'enterprise'::"Tier" AS tier, NULL::text AS nothing,
  '6f1c2c1e-8b9a-4d7e-9a51-0b1f7d5c2e10'::uuid AS id`;

function open(dir: string): { local: () => Promise<PGlite>; remote: () => RemotePGlite } {
  const dataDir = join(dir, "pgdata");
  return {
    local: () => PGlite.create(dataDir),
    remote: () => new RemotePGlite({ dataDir, startParams: [], initDbStartParams: [] }),
  };
}

describe("the embedded database in a worker thread", () => {
  const dirs: Array<{ remove(): void }> = [];
  let local: PGlite;
  let remote: RemotePGlite;

  beforeAll(async () => {
    const a = embeddedDataDir();
    const b = embeddedDataDir();
    dirs.push(a, b);
    local = await open(a.dir).local();
    remote = open(b.dir).remote();
    await remote.waitReady;
    for (const db of [local, remote]) {
      await db.exec("SET TIME ZONE 'UTC'");
      await db.exec(`CREATE TABLE t (id int PRIMARY KEY, email text UNIQUE, note text)`);
    }
  }, 120_000);
  afterAll(async () => {
    await local?.close();
    await remote?.close();
    for (const d of dirs) d.remove();
  });

  it("parses every value as PGlite in this thread does, with its own parsers and with the Prisma adapter's", async () => {
    const [l, r] = [await local.query(VALUES_SQL), await remote.query(VALUES_SQL)];
    expect(r.rows).toEqual(l.rows);
    expect(r.fields).toEqual(l.fields);
    const row = r.rows[0] as Record<string, unknown>;
    expect(row.ts).toEqual(new Date("2026-03-04T05:06:07.089Z"));
    expect(row.big).toBe(9007199254740993n);
    expect(row.texts).toEqual(["a", "b,c", null]);
    expect(row.tiers).toEqual(["enterprise", "standard"]);
    expect(row.bin).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));

    const viaAdapter = async (db: PGlite | RemotePGlite) => {
      const adapter = await new PrismaPGlite(db as PGlite).connect();
      return adapter.queryRaw({ sql: VALUES_SQL, args: [], argTypes: [] });
    };
    const [la, ra] = [await viaAdapter(local), await viaAdapter(remote)];
    expect(ra).toEqual(la);
    // The adapter's parsers keep these as text (the query compiler reads them).
    const at = (name: string) => ra.rows[0]![ra.columnNames.indexOf(name)];
    expect(at("ts")).toBe("2026-03-04T05:06:07.089+00:00");
    expect(at("num")).toBe("12345.678");
    expect(at("jb")).toBe('{"a": [1, 2, {"b": null}]}');
    expect(at("big")).toBe("9007199254740993");
  });

  it("sends parameters of every kind as PGlite in this thread does", async () => {
    const sql = `SELECT $1::timestamptz AS a, $2::bytea AS b, $3::jsonb AS c, $4::int8 AS d, $5::text[] AS e, $6::text AS f`;
    const params = [new Date("2026-05-06T07:08:09.010Z"), new Uint8Array([1, 2, 255]), { k: ["v"] }, 12n, ["x", "y"], null];
    expect((await remote.query(sql, params)).rows).toEqual((await local.query(sql, params)).rows);
    expect((await remote.exec("SELECT 1 AS one; SELECT 'two' AS two")).map((x) => x.rows)).toEqual([[{ one: 1 }], [{ two: "two" }]]);
  });

  it("runs Database.query's one-exchange statements in the worker with the same rows and errors, a named one prepared once", async () => {
    const sql = `SELECT $1::timestamptz AS a, $2::int8 AS b, $3::text[] AS c, $4::numeric AS d, ARRAY['enterprise']::"Tier"[] AS e`;
    const params = [new Date("2026-05-06T07:08:09.010Z"), 12n, ["x", "y"], "1.50"];
    const expected = (await pgliteQuery(local, sql, params)).rows;
    expect((await remote.statement(sql, params)).rows).toEqual(expected);
    expect((await remote.statement(sql, params, "worker_named")).rows).toEqual(expected);
    // The second call binds the statement prepared by the first: it is in the worker's session under its name.
    expect((await remote.statement(sql, params, "worker_named")).rows).toEqual(expected);
    const prepared = await remote.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = 'worker_named'");
    expect(prepared.rows).toEqual([{ n: 1 }]);
    const fail = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Record<string, unknown>);
    const [le, re] = [await fail(pgliteQuery(local, "SELECT 1/0")), await fail(remote.statement("SELECT 1/0"))];
    for (const k of ["message", "code", "severity"]) expect(re?.[k], k).toEqual(le?.[k]);
    expect(re?.code).toBe("22012");
    expect(re?.query).toBe("SELECT 1/0");
  });

  it("keeps a DatabaseError's fields, so a unique violation is the same tool error as in this thread", async () => {
    const insert = `INSERT INTO t (id, email) VALUES ($1, 'same@example.com')`;
    await local.query(insert, [1]);
    await remote.query(insert, [1]);
    const fail = (db: PGlite | RemotePGlite) => db.query(insert, [2]).then(() => null, (e: unknown) => e);
    const [le, re] = [(await fail(local)) as Record<string, unknown>, (await fail(remote)) as Record<string, unknown>];
    expect(re).toBeInstanceOf((await import("@electric-sql/pglite")).messages.DatabaseError);
    for (const k of ["message", "code", "detail", "constraint", "table", "schema", "severity", "routine"]) expect(re[k], k).toEqual(le[k]);
    expect(re.code).toBe("23505");
    expect(re.constraint).toBe("t_email_key");
    expect(re.query).toBe(insert);

    // Through Prisma (the adapter maps the DatabaseError) to the tool error a caller sees.
    const viaPrisma = async (db: PGlite | RemotePGlite) => {
      const prisma = new PrismaClient({ adapter: new PrismaPGlite(db as PGlite) });
      return prisma.$executeRawUnsafe(insert, 3).then(() => null, (e: unknown) => e);
    };
    const [lp, rp] = [await viaPrisma(local), await viaPrisma(remote)];
    expect(toSafeError(rp, silent)).toEqual(toSafeError(lp, silent));
    expect(toSafeError(rp, silent).code).toBe("conflict");
  });

  it("rolls a transaction back when its callback throws, and rejects with the callback's own error", async () => {
    const boom = new Error("boom");
    const out = await remote
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO t (id, note) VALUES (10, 'rolled back')`);
        expect((await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM t WHERE id = 10`)).rows[0]!.n).toBe(1);
        throw boom;
      })
      .catch((e: unknown) => e);
    expect(out).toBe(boom);
    expect((await remote.query<{ n: number }>(`SELECT count(*)::int AS n FROM t WHERE id = 10`)).rows[0]!.n).toBe(0);

    // A callback that resolves commits and gives its value; a rollback() inside it leaves nothing.
    expect(await remote.transaction(async (tx) => (await tx.query(`INSERT INTO t (id) VALUES (11) RETURNING id`)).rows)).toEqual([{ id: 11 }]);
    await remote.transaction(async (tx) => {
      await tx.query(`INSERT INTO t (id) VALUES (12)`);
      await tx.rollback();
    });
    expect((await remote.query(`SELECT id FROM t WHERE id IN (11, 12) ORDER BY id`)).rows).toEqual([{ id: 11 }]);
  });

  it("makes a statement sent during a transaction wait for its end, as PGlite's lock does in this thread", async () => {
    for (const db of [local, remote]) {
      const order: string[] = [];
      let outside: Promise<number> | undefined;
      await db
        .transaction(async (tx) => {
          await tx.query(`INSERT INTO t (id, note) VALUES (20, 'not committed')`);
          outside = db.query<{ n: number }>(`SELECT count(*)::int AS n FROM t WHERE id = 20`).then((r) => {
            order.push("outside answered");
            return r.rows[0]!.n;
          });
          // Several statements of the transaction go through while the outside one waits.
          for (let i = 0; i < 3; i++) await tx.query("SELECT 1");
          order.push("transaction ends");
          throw new Error("roll back");
        })
        .catch(() => {});
      // Had it run inside the open transaction (one session), it would have seen the uncommitted row.
      expect(await outside).toBe(0);
      expect(order).toEqual(["transaction ends", "outside answered"]);
    }
  });

  it("fails calls at once with 'unavailable' when the worker stops, instead of leaving them waiting", async () => {
    const d = embeddedDataDir();
    dirs.push(d);
    const db = open(d.dir).remote();
    await db.waitReady;
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(db as unknown as PGlite) });
    // A statement long enough to be running when the thread is stopped.
    const running = db.query(`SELECT count(*) FROM generate_series(1, 200000000)`).then(() => null, (e: unknown) => e);
    await db.thread.terminate();
    expect(await running).toBeInstanceOf(DatabaseWorkerStoppedError);
    await expect(db.query("SELECT 1")).rejects.toBeInstanceOf(DatabaseWorkerStoppedError);
    await expect(db.transaction(async () => 1)).rejects.toBeInstanceOf(DatabaseWorkerStoppedError);
    const viaPrisma = await prisma.$queryRawUnsafe("SELECT 1").then(() => null, (e: unknown) => e);
    expect(toSafeError(viaPrisma, silent).code).toBe("unavailable");
    await db.close();
  });

  it("releases the data directory on close: its lock file is gone and a second open of the same directory works", async () => {
    const d = embeddedDataDir();
    dirs.push(d);
    const config = loadConfig({ CS_MCP_DATA_DIR: d.dir, LOG_LEVEL: "silent", CS_MCP_PGLITE_WORKER: "true" });
    const first = await openDatabase(config, silent);
    await first.query(`CREATE TABLE kept (v text)`);
    await first.query(`INSERT INTO kept VALUES ('written by the first')`);
    expect(existsSync(join(d.dir, "cs-mcp.lock"))).toBe(true);
    await first.close();
    expect(existsSync(join(d.dir, "cs-mcp.lock"))).toBe(false);
    const second = await openDatabase(config, silent);
    try {
      expect(await second.query(`SELECT v FROM kept`)).toEqual([{ v: "written by the first" }]);
    } finally {
      await second.close();
    }
  });
});
