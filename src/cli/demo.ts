// `cs-mcp demo [--seed N] [--accounts N]` and `cs-mcp demo --remove`.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { openDatabase } from "../db/database.ts";
import { printErr, printJson } from "./output.ts";

function intFlag(name: string, value: string | boolean | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: must be a whole number from ${min} to ${max}`);
  return n;
}

export async function demoCommand(config: Config, logger: Logger, flags: Record<string, string | boolean | undefined>): Promise<number> {
  const { loadDemo, removeDemo, DEMO_MAX_ACCOUNTS } = await import("../services/demo/index.ts");
  let seed: number | undefined;
  let accounts: number | undefined;
  try {
    seed = intFlag("seed", flags.seed, 0, 2 ** 31 - 1);
    accounts = intFlag("accounts", flags.accounts, 1, DEMO_MAX_ACCOUNTS);
  } catch (err) {
    printErr((err as Error).message);
    return 2;
  }
  const db = await openDatabase(config, logger, { migrate: config.CS_MCP_AUTO_MIGRATE });
  try {
    if (flags.remove) {
      printJson(await removeDemo(db));
      return 0;
    }
    // The summary: rows written per table (accounts ... email_events), the seed and the load time. The
    // programs follow this server's settings (onboarding threshold, advocacy points and rules).
    // Progress on stderr (stdout carries the summary): a 200,000-account load takes minutes.
    const onProgress = (done: number, total: number, message: string) => printErr(`demo: ${message} (step ${done} of ${total})`);
    printJson(await loadDemo(db, { ...(seed !== undefined ? { seed } : {}), ...(accounts !== undefined ? { accounts } : {}), settings: config, onProgress }));
    return 0;
  } catch (err) {
    printErr((err as Error).message);
    return 1;
  } finally {
    await db.close();
  }
}
