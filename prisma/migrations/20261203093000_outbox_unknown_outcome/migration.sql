-- A delivery whose dispatcher died mid-request to a vendor without an idempotency key: it may have arrived.
-- It waits here for an operator's decision instead of being re-sent automatically.
ALTER TYPE "OutboxStatus" ADD VALUE 'unknown_outcome';
