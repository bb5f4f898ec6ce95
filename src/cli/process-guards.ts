// Process-level safety for a long-running stdio server: an unhandled rejection or an exception thrown
// in a timer inside a tool is logged, not fatal; console output is diverted to stderr so that nothing
// but protocol messages ever reaches stdout.
import type { Logger } from "../observability/logger.ts";
import { serializeError } from "../server/errors.ts";

export function installProcessGuards(logger: Logger, onStdoutGone: () => void): void {
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: serializeError(reason) }, "unhandled promise rejection (kept running)");
  });
  process.on("uncaughtException", (err) => {
    logger.error({ err: serializeError(err) }, "uncaught exception (kept running)");
  });
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    // The client went away: nothing more can be answered.
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") onStdoutGone();
  });
  const toStderr = (...args: unknown[]) => {
    process.stderr.write(`${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}\n`);
  };
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
