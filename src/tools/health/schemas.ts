// Output shapes shared by more than one health tool.
import { z } from "zod";

export const missingData = z
  .array(z.object({ what: z.string(), how_to_supply: z.string() }))
  .describe("What stored data is missing for a complete answer, and how to supply it");

export const recommendation = z.object({ rule: z.string(), action: z.string(), figure: z.string() });
