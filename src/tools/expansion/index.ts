import { identifyUpsellOpportunities } from "./identify-upsell-opportunities.ts";
import { identifyCrosssellOpportunities } from "./identify-crosssell-opportunities.ts";
import { identifyExpansionOpportunities } from "./identify-expansion-opportunities.ts";
import { trackRenewals } from "./track-renewals.ts";
import { forecastRenewals } from "./forecast-renewals.ts";
import { negotiateRenewals } from "./negotiate-renewals.ts";
import { trackRevenueExpansion } from "./track-revenue-expansion.ts";
import { optimizeCustomerLifetimeValue } from "./optimize-customer-lifetime-value.ts";

export const expansionTools = [
  identifyUpsellOpportunities,
  identifyCrosssellOpportunities,
  identifyExpansionOpportunities,
  trackRenewals,
  forecastRenewals,
  negotiateRenewals,
  trackRevenueExpansion,
  optimizeCustomerLifetimeValue,
];
