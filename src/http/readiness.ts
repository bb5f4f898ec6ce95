// /readyz: the database answers and holds every migration, and Redis answers when configured. Each
// check is bounded, so a database that hangs makes the instance unready instead of hanging the probe.
import type { Runtime } from "../app.ts";

const CHECK_MS = 2_000;

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export interface Readiness {
  ready: boolean;
  checks: { database: string; redis: string };
}

export async function readiness(rt: Pick<Runtime, "db" | "redis">): Promise<Readiness> {
  const database = await within(rt.db.migrationStatus(), CHECK_MS, "the database").then(
    (s) => (s.pending.length || s.failed.length ? `migrations pending: ${s.pending.length}, failed: ${s.failed.length}` : "ok"),
    () => "unreachable",
  );
  const redis = rt.redis ? await within(rt.redis.ping(), CHECK_MS, "redis").then(() => "ok", () => "unreachable") : "not configured";
  return { ready: database === "ok" && (redis === "ok" || redis === "not configured"), checks: { database, redis } };
}
