// The demo rows that belong to no account — support agents, knowledge-base articles, training modules,
// communities, newsletters and email campaigns — carry is_demo = true (migration 20261122160000).
//
// Removal (after the demo accounts, whose rows cascade) deletes every such row, except one that a user's
// own rows have come to depend on since the load: a module used by a session, a completion or a
// certification of a real account (the foreign key would refuse the delete anyway), a community with
// members left, a newsletter with subscriptions, sends or issues left, a campaign with sends left. Those
// are kept and reported, so that removing the demo never deletes or orphans a user's data. An article's
// versions and votes go with it (they are part of the article).
//
// A later load reuses kept modules and communities (their code / name is unique) instead of failing on the
// unique key: the generated rows that point at them are re-pointed.
import type { SqlSession } from "../../db/sql-session.ts";
import type { DemoData } from "./generate.ts";

export interface CatalogueRemoval {
  /** Demo rows of no account deleted, per table. */
  catalogue_removed: Record<CatalogueTable, number>;
  /** Demo rows kept because a user's own rows depend on them, per table (only tables with some). */
  catalogue_kept: Partial<Record<CatalogueTable, number>>;
}

export const CATALOGUE_TABLES = ["support_agents", "kb_articles", "email_campaigns", "newsletters", "communities", "training_modules"] as const;
export type CatalogueTable = (typeof CATALOGUE_TABLES)[number];

/** The rule that keeps a demo row (alias t), per table; support agents and articles have no dependants. */
const KEEP_IF: Record<CatalogueTable, string> = {
  support_agents: "false",
  kb_articles: "false",
  email_campaigns: "EXISTS (SELECT 1 FROM email_sends s WHERE s.campaign_id = t.id)",
  newsletters: `EXISTS (SELECT 1 FROM newsletter_subscriptions s WHERE s.newsletter_id = t.id)
             OR EXISTS (SELECT 1 FROM email_sends s WHERE s.newsletter_id = t.id)
             OR EXISTS (SELECT 1 FROM email_campaigns c WHERE c.newsletter_id = t.id)`,
  communities: "EXISTS (SELECT 1 FROM community_members m WHERE m.community_id = t.id)",
  training_modules: `EXISTS (SELECT 1 FROM training_sessions s WHERE s.module_id = t.id)
                  OR EXISTS (SELECT 1 FROM training_completions c WHERE c.module_id = t.id)
                  OR EXISTS (SELECT 1 FROM certifications c WHERE t.id = ANY(c.module_ids))`,
};

/** Deletes the demo rows of no account (in CATALOGUE_TABLES order: campaigns before their newsletters). */
export async function removeDemoCatalogue(session: SqlSession): Promise<CatalogueRemoval> {
  const removed = {} as Record<CatalogueTable, number>;
  const kept: Partial<Record<CatalogueTable, number>> = {};
  for (const table of CATALOGUE_TABLES) {
    const [gone] = await session.query<{ n: number }>(
      `WITH gone AS (DELETE FROM "${table}" t WHERE t.is_demo = true AND NOT (${KEEP_IF[table]}) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    );
    removed[table] = gone?.n ?? 0;
    const [left] = await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE is_demo = true`);
    if (left && left.n > 0) kept[table] = left.n;
  }
  return { catalogue_removed: removed, catalogue_kept: kept };
}

/**
 * Re-points generated rows at demo modules and communities kept by an earlier removal (same code / name)
 * and leaves those out of the insert. Returns the data to write (the input when nothing was kept).
 */
export async function reuseKeptCatalogue(session: SqlSession, data: DemoData): Promise<DemoData> {
  const modules = await session.query<{ id: string; code: string }>(
    `SELECT id, code FROM training_modules WHERE is_demo = true AND code = ANY($1::text[])`,
    [`{${data.training_modules.map((m) => `"${m.code}"`).join(",")}}`],
  );
  const communities = await session.query<{ id: string; name: string }>(
    `SELECT id, name FROM communities WHERE is_demo = true AND name = ANY($1::text[])`,
    [`{${data.communities.map((c) => `"${c.name.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`],
  );
  if (!modules.length && !communities.length) return data;
  const moduleId = new Map<string, string>();
  for (const m of data.training_modules) {
    const kept = modules.find((k) => k.code === m.code);
    if (kept) moduleId.set(m.id, kept.id);
  }
  const communityId = new Map<string, string>();
  for (const c of data.communities) {
    const kept = communities.find((k) => k.name === c.name);
    if (kept) communityId.set(c.id, kept.id);
  }
  const mod = (id: string) => moduleId.get(id) ?? id;
  const com = (id: string) => communityId.get(id) ?? id;
  return {
    ...data,
    training_modules: data.training_modules.filter((m) => !moduleId.has(m.id)),
    training_sessions: data.training_sessions.map((s) => ({ ...s, module_id: mod(s.module_id) })),
    training_completions: data.training_completions.map((c) => ({ ...c, module_id: mod(c.module_id) })),
    certifications: data.certifications.map((c) => ({ ...c, module_ids: c.module_ids.map(mod) })),
    communities: data.communities.filter((c) => !communityId.has(c.id)),
    community_members: data.community_members.map((m) => ({ ...m, community_id: com(m.community_id) })),
    community_posts: data.community_posts.map((p) => ({ ...p, community_id: com(p.community_id) })),
  };
}
