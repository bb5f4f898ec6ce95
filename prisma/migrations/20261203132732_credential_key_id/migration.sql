-- Stored vendor credentials name the key that sealed them, so a key rotation knows which rows to re-seal
-- and a wrong previous key is told apart from an altered value. Nothing wrote this table before.
-- AlterTable
ALTER TABLE "integration_credentials" ADD COLUMN     "key_id" TEXT NOT NULL;
