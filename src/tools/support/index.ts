import { handleSupportTicket } from "./handle-support-ticket.ts";
import { routeTickets } from "./route-tickets.ts";
import { manageKnowledgeBase } from "./manage-knowledge-base.ts";
import { updateKnowledgeBase } from "./update-knowledge-base.ts";
import { manageCustomerPortal } from "./manage-customer-portal.ts";
import { analyzeSupportPerformance } from "./analyze-support-performance.ts";

export const supportTools = [handleSupportTicket, routeTickets, manageKnowledgeBase, updateKnowledgeBase, manageCustomerPortal, analyzeSupportPerformance];
