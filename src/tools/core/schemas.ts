// Output shapes shared by more than one core tool.
import { z } from "zod";

export const contractView = z.object({
  contract_id: z.string(),
  contract_value: z.number(),
  currency: z.string(),
  billing_frequency: z.string(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  renewal_date: z.string().nullable(),
  days_to_renewal: z.number().int().nullable(),
  auto_renew: z.boolean(),
  payment_status: z.string(),
  seats: z.number().int().nullable(),
  status: z.string(),
});
