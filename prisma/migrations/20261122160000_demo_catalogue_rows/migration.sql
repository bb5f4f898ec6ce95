-- The demo portfolio (`cs-mcp demo`) also fills tables whose rows belong to no account: the support-agent
-- roster, knowledge-base articles, training modules, communities, newsletters and email campaigns. They are
-- marked, like demo accounts, so that `cs-mcp demo --remove` deletes exactly the demo rows and never a
-- user's own. Rows written by the tools keep the default (false).
ALTER TABLE "support_agents" ADD COLUMN "is_demo" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "kb_articles" ADD COLUMN "is_demo" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "training_modules" ADD COLUMN "is_demo" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "communities" ADD COLUMN "is_demo" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "newsletters" ADD COLUMN "is_demo" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "email_campaigns" ADD COLUMN "is_demo" BOOLEAN NOT NULL DEFAULT false;
