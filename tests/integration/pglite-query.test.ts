// pgliteQuery: a parameterised statement on PGlite in one protocol exchange (PGlite's query() makes six),
// with the same rows, the same serialisation of values, the same errors, and the same wait for a running
// transaction as lite.query().
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import { join } from "node:path";
import { embeddedDataDir } from "../helpers/databases.ts";
import { pgliteQuery } from "../../src/db/pglite-query.ts";

describe("pgliteQuery on PGlite", () => {
  let lite: PGlite;
  let remove: () => void;
  let exchanges = 0;

  beforeAll(async () => {
    const data = embeddedDataDir();
    remove = data.remove;
    lite = new PGlite(join(data.dir, "pgdata"));
    await lite.waitReady;
    await lite.exec("SET TIME ZONE 'UTC'; CREATE TEMP TABLE t (id int PRIMARY KEY, name text, at timestamptz, amount numeric, big int8, flag bool, doc jsonb, tags text[])");
    const raw = lite.execProtocolRaw.bind(lite);
    lite.execProtocolRaw = (message, options) => {
      exchanges += 1;
      return raw(message, options);
    };
  }, 60_000);
  afterAll(async () => {
    await lite?.close();
    remove?.();
  });

  type Failure = Error & Record<string, unknown>;
  const failure = (work: Promise<unknown>): Promise<Failure> =>
    work.then(
      () => {
        throw new Error("the statement succeeded");
      },
      (e: unknown) => e as Failure,
    );

  const counted = async <T>(work: () => Promise<T>): Promise<{ value: T; exchanges: number }> => {
    const before = exchanges;
    const value = await work();
    return { value, exchanges: exchanges - before };
  };

  it("answers a repeated statement in one exchange with PGlite (its query() takes six)", async () => {
    const sql = "SELECT $1::int + 1 AS n";
    await pgliteQuery(lite, sql, [1]);
    const ours = await counted(() => pgliteQuery<{ n: number }>(lite, sql, [41]));
    const theirs = await counted(() => lite.query<{ n: number }>(sql, [41]));
    expect(ours.value.rows).toEqual([{ n: 42 }]);
    expect(ours.exchanges).toBe(1);
    expect(theirs.exchanges).toBe(6);
  });

  it("serialises values and parses rows as lite.query does, for every column type used", async () => {
    const insert = "INSERT INTO t (id, name, at, amount, big, flag, doc, tags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *";
    const values = (id: number) => [id, "O'Brien \\ \"x\"", new Date("2026-06-15T12:00:00.000Z"), "1234.50", 9_007_199_254_740_993n, false, { a: [1, "two"], b: null }, ["x", "y,z", 'q"uote']];
    const ours = await pgliteQuery<Record<string, unknown>>(lite, insert, values(1));
    const theirs = await lite.query<Record<string, unknown>>(insert, values(2));
    expect({ ...ours.rows[0], id: 0 }).toEqual({ ...theirs.rows[0], id: 0 });
    expect(ours.fields).toEqual(theirs.fields);
    expect(ours.affectedRows).toBe(theirs.affectedRows);
    const read = "SELECT id, name, at, amount, big, flag, doc, tags FROM t WHERE id = ANY($1::int[]) AND flag = $2 AND at <= $3 ORDER BY id";
    const params = [[1, 2], false, "2026-06-16T00:00:00Z"];
    expect((await pgliteQuery(lite, read, params)).rows).toEqual((await lite.query(read, params)).rows);
    expect((await pgliteQuery(lite, "SELECT $1::text AS a, $2::int AS b", [null, undefined])).rows).toEqual([{ a: null, b: null }]);
  });

  it("throws the error lite.query throws, and the next statement runs", async () => {
    const bad = "SELECT $1::int / 0 AS n";
    const ours = await failure(pgliteQuery(lite, bad, [1]));
    const theirs = await failure(lite.query(bad, [1]));
    expect(ours).toBeInstanceOf(Error);
    expect(ours.message).toBe("division by zero");
    expect([ours.constructor, ours.message, ours.code, ours.query, ours.params]).toEqual([theirs.constructor, theirs.message, theirs.code, theirs.query, theirs.params]);
    const syntax = await failure(pgliteQuery(lite, "SELEC $1", [1]));
    expect([syntax.message, syntax.code, syntax.query]).toEqual(['syntax error at or near "SELEC"', "42601", "SELEC $1"]);
    expect((await pgliteQuery(lite, "SELECT $1::int AS n", [7])).rows).toEqual([{ n: 7 }]);
  });

  it("prepares a named statement once and reads what the unnamed statement reads", async () => {
    const sql = "SELECT $1::int * 2 AS n, $2::text AS s";
    const prepared = async () => (await lite.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements WHERE name = 'doubled'")).rows;
    expect(await prepared()).toEqual([]);
    for (const n of [1, 2, 3]) {
      const named = await counted(() => pgliteQuery(lite, sql, [n, `v${n}`], "doubled"));
      expect(named.value.rows).toEqual((await pgliteQuery(lite, sql, [n, `v${n}`])).rows);
      expect(named.value.rows).toEqual([{ n: n * 2, s: `v${n}` }]);
      // The first call also prepares the statement (one more exchange); then one exchange each.
      expect(named.exchanges).toBe(n === 1 ? 3 : 1);
    }
    expect(await prepared()).toEqual([{ name: "doubled", statement: sql }]);
    await expect(pgliteQuery(lite, "SELECT 1 AS n", [], "doubled")).rejects.toThrow('prepared statement "doubled" was prepared with another SQL text');
  });

  it("waits for a running transaction instead of joining it", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const didInsert = new Promise<void>((resolve) => (inserted = resolve));
    const tx = lite.transaction(async (t) => {
      await t.query("INSERT INTO t (id, name) VALUES (100, 'in tx')");
      inserted();
      await held;
      await t.rollback();
    });
    await didInsert;
    let settled = false;
    const read = pgliteQuery<{ n: number }>(lite, "SELECT count(*)::int AS n FROM t WHERE id = $1", [100]).then((r) => {
      settled = true;
      return r;
    });
    // The read is queued behind the transaction: it cannot settle while the transaction holds PGlite.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await tx;
    expect((await read).rows).toEqual([{ n: 0 }]);
  });
});
