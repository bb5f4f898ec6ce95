// A Prisma client or transaction reduced to the two raw calls the set-based portfolio runs make.
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Tx } from "./abortable-transaction.ts";

export interface RawSql {
  run(sql: string, ...params: unknown[]): Promise<number>;
  rows<T>(sql: string, ...params: unknown[]): Promise<T[]>;
}

export const rawSqlOf = (c: PrismaClient | Tx): RawSql => ({
  run: (sql, ...params) => c.$executeRawUnsafe(sql, ...params),
  rows: <T>(sql: string, ...params: unknown[]) => c.$queryRawUnsafe<T[]>(sql, ...params),
});
