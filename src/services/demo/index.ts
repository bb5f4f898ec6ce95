// The demo portfolio: generate (pure, seeded) and load/remove (database). The CLI's `demo` command
// calls loadDemo / removeDemo / demoLoaded.
export { loadDemo, removeDemo, demoLoaded, DemoAlreadyLoadedError, type DemoOptions, type DemoSummary } from "./load.ts";
export {
  generateDemo,
  generateDemoParts,
  demoCounts,
  mulberry32,
  DEMO_DEFAULT_SEED,
  DEMO_DEFAULT_ACCOUNTS,
  DEMO_MAX_ACCOUNTS,
  DEMO_FULL_ACCOUNTS,
  DEMO_PART_ACCOUNTS,
  demoPartCount,
  type DemoData,
  type DemoCoreData,
  type DemoAccount,
  type DemoProfile,
  type GenerateOptions,
} from "./generate.ts";
export { SUPPORT_AGENTS } from "./generate-support.ts";
export { DEMO_MODULES } from "./generate-onboarding.ts";
export { CATALOGUE_TABLES, type CatalogueRemoval } from "./demo-catalogue.ts";
export { demoSettings, type DemoSettings } from "./settings.ts";
