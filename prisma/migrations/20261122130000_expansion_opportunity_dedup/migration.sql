-- Expansion opportunities are found again on every run of the identify_* tools. An open opportunity is
-- one per (account, type, product): a later run updates its score and value in place (updated_at records
-- when), and this partial unique index makes that rule hold even when two runs overlap.
ALTER TABLE "expansion_opportunities" ADD COLUMN "updated_at" TIMESTAMPTZ(3);

CREATE UNIQUE INDEX "expansion_opportunities_open_key"
    ON "expansion_opportunities" ("account_id", "type", "product")
 WHERE "status" = 'open';

