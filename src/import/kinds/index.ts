import { accounts } from "./accounts.ts";
import { invoices } from "./invoices.ts";
import { nps } from "./nps.ts";
import { tickets } from "./tickets.ts";
import { usageEvents } from "./usage-events.ts";
import { emailEvents } from "./email-events.ts";
import type { ImportKind, KindSpec } from "./types.ts";

export { IMPORT_KINDS, type ImportKind, type RowError } from "./types.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const KINDS: Record<ImportKind, KindSpec<any>> = {
  accounts,
  usage_events: usageEvents,
  tickets,
  nps,
  invoices,
  email_events: emailEvents,
};
