-- Ticket routing (route_tickets): where the round-robin rotation stands, per scope ('*' for every
-- agent, or a team name when routing was limited to a team), so that rotation stays fair across calls.
CREATE TABLE "support_routing_state" (
    "scope" TEXT NOT NULL,
    "last_agent_email" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "support_routing_state_pkey" PRIMARY KEY ("scope")
);

-- Routing and performance look tickets up by assignee case-insensitively (agents are stored by email).
CREATE INDEX "support_tickets_lower_assigned_agent_idx" ON "support_tickets"(lower("assigned_agent")) WHERE "status" IN ('open', 'pending', 'in_progress');
