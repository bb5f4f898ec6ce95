import { registerClient } from "./register-client.ts";
import { getClientOverview } from "./get-client-overview.ts";
import { updateClientInfo } from "./update-client-info.ts";
import { listClients } from "./list-clients.ts";
import { getClientTimeline } from "./get-client-timeline.ts";

export const coreTools = [registerClient, getClientOverview, updateClientInfo, listClients, getClientTimeline];
