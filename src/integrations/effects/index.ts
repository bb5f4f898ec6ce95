// Every delivery effect the dispatcher applies, one file per domain. Add a domain's effects here.
import type { DeliveryEffects } from "./types.ts";
import { EMAIL_EFFECTS } from "./email.ts";
import { SUPPORT_EFFECTS } from "./support.ts";

export const DELIVERY_EFFECTS: DeliveryEffects = {
  ...SUPPORT_EFFECTS,
  ...EMAIL_EFFECTS,
  // effects:entries (keep this anchor: toolsets add their spreads above it)
};

export { DependencyFailed, DependencyPending, type DeliveryEffect, type DeliveryEffects, type EffectRow } from "./types.ts";
