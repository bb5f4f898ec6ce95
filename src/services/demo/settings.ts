// The settings the demo data follows, so that generated rows agree with the rules the tools apply: the
// onboarding completion threshold and the advocacy program's points and eligibility rules. The CLI passes
// the server's configuration; without one, the documented defaults apply.
import { loadConfig, type Config } from "../../config/load.ts";

export type DemoSettings = Pick<Config, "ONBOARDING_COMPLETE_PERCENT" | "ADVOCACY_POINTS" | "ADVOCACY_MIN_HEALTH" | "ADVOCACY_REQUIRE_PROMOTER">;

let defaults: DemoSettings | undefined;

export function demoSettings(from?: DemoSettings): DemoSettings {
  const c = from ?? (defaults ??= loadConfig({}));
  return {
    ONBOARDING_COMPLETE_PERCENT: c.ONBOARDING_COMPLETE_PERCENT,
    ADVOCACY_POINTS: { ...c.ADVOCACY_POINTS },
    ADVOCACY_MIN_HEALTH: c.ADVOCACY_MIN_HEALTH,
    ADVOCACY_REQUIRE_PROMOTER: c.ADVOCACY_REQUIRE_PROMOTER,
  };
}
