// A short positive cache of API-key principals, per instance. Why: every MCP request over HTTP is
// authenticated, and looking the key up is one more PostgreSQL query on the same pool the tool call needs
// (bench:http: pg/Prisma I/O was 40% of the server's CPU). Only keys found valid are kept, for ttlMs at
// most, so a key created while the server runs works at once and a revoked one stops working within ttlMs
// on every instance (SECURITY.md). ttlMs 0 turns the cache off. Keyed by the key's hash, never the key.
import type { Principal } from "./principal.ts";

/** Past this many entries the cache starts over: a bound on memory whatever the number of keys presented. */
const MAX_ENTRIES = 10_000;

export class KeyPrincipalCache {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly ttlMs: number) {}

  get(hash: string, nowMs: number): Principal | undefined {
    const hit = this.entries.get(hash);
    if (!hit) return undefined;
    if (nowMs < hit.until) return hit.principal;
    this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, principal: Principal, nowMs: number): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(hash, { principal, until: nowMs + this.ttlMs });
  }
}
