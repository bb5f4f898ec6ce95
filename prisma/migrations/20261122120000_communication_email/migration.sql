-- Communication (email half): what send_personalized_email, automate_newsletters and the SendGrid event
-- ingestion need beyond the initial tables.

-- A campaign is found again by its idempotency key (client-given, or derived from the request), so a
-- retried call neither records nor queues it twice. A newsletter issue is an email campaign linked to
-- its newsletter.
ALTER TABLE "email_campaigns" ADD COLUMN "idempotency_key" TEXT;
ALTER TABLE "email_campaigns" ADD COLUMN "newsletter_id" TEXT;
CREATE UNIQUE INDEX "email_campaigns_idempotency_key_key" ON "email_campaigns"("idempotency_key");
CREATE INDEX "email_campaigns_newsletter_id_idx" ON "email_campaigns"("newsletter_id");
ALTER TABLE "email_campaigns" ADD CONSTRAINT "email_campaigns_newsletter_id_fkey" FOREIGN KEY ("newsletter_id") REFERENCES "newsletters"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Sends: the newsletter they belong to, SendGrid's X-Message-Id and the moment SendGrid accepted them
-- (written by the delivery effect), and the lookups the delivery effect and event ingestion make.
ALTER TABLE "email_sends" ADD COLUMN "newsletter_id" TEXT;
ALTER TABLE "email_sends" ADD COLUMN "provider_message_id" TEXT;
ALTER TABLE "email_sends" ADD COLUMN "accepted_at" TIMESTAMPTZ(3);
CREATE INDEX "email_sends_outbox_id_idx" ON "email_sends"("outbox_id");
CREATE INDEX "email_sends_newsletter_id_idx" ON "email_sends"("newsletter_id");
CREATE INDEX "email_sends_provider_message_id_email_idx" ON "email_sends"("provider_message_id", "email");
CREATE INDEX "email_sends_email_idx" ON "email_sends"("email");
ALTER TABLE "email_sends" ADD CONSTRAINT "email_sends_newsletter_id_fkey" FOREIGN KEY ("newsletter_id") REFERENCES "newsletters"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "email_sends" ADD CONSTRAINT "email_sends_open_count_check" CHECK ("open_count" >= 0);
ALTER TABLE "email_sends" ADD CONSTRAINT "email_sends_click_count_check" CHECK ("click_count" >= 0);

-- Events: SendGrid's sg_event_id makes a redelivered webhook (or a re-imported file) a no-op.
ALTER TABLE "email_events" ADD COLUMN "sg_event_id" TEXT;
CREATE UNIQUE INDEX "email_events_sg_event_id_key" ON "email_events"("sg_event_id");

-- Newsletters: an optional plain-text part next to the HTML content.
ALTER TABLE "newsletters" ADD COLUMN "content_text" TEXT;
