// `cs-mcp serve`: MCP over stdio until stdin closes or a signal arrives, then a prompt, clean exit
// (database closed) within 2 seconds.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { createApp } from "../app.ts";
import { createMcpServer } from "../server/create-server.ts";
import { SafeStdioTransport } from "../server/stdio-transport.ts";
import { installProcessGuards } from "./process-guards.ts";
import { SERVER_VERSION } from "../version.ts";

const EXIT_DEADLINE_MS = 1_800;

export async function serve(config: Config, logger: Logger, options: { demo: boolean }): Promise<void> {
  let shuttingDown = false;
  let shutdown: (code: number) => void = (code) => process.exit(code);
  installProcessGuards(logger, () => shutdown(0));

  const app = await createApp(config, logger);
  if (options.demo) {
    // Loaded only when asked for: the generator is not part of a normal start-up.
    const { demoLoaded, loadDemo } = await import("../services/demo/index.ts");
    const present = await demoLoaded(app.db);
    if (present === 0) {
      const summary = await loadDemo(app.db);
      logger.info({ summary }, "demo portfolio loaded");
    } else logger.info({ accounts: present }, "demo portfolio already present");
  }
  const server = createMcpServer(app.pipeline);
  const transport = new SafeStdioTransport(process.stdin, process.stdout, {
    maxMessageBytes: config.CS_MCP_MAX_MESSAGE_BYTES,
    onOversize(bytes) {
      logger.fatal({ bytes, limit: config.CS_MCP_MAX_MESSAGE_BYTES }, "message larger than CS_MCP_MAX_MESSAGE_BYTES: closing");
      shutdown(2);
    },
  });

  shutdown = (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    // Whatever hangs, the process is gone before the deadline.
    setTimeout(() => process.exit(code), EXIT_DEADLINE_MS).unref();
    void (async () => {
      try {
        await server.close();
      } catch {
        /* transport already closed */
      }
      await app.close();
      logger.info({ code }, "stopped");
      process.exit(code);
    })();
  };

  server.onclose = () => shutdown(0);
  process.once("SIGINT", () => shutdown(0));
  process.once("SIGTERM", () => shutdown(0));
  await server.connect(transport);
  logger.info(
    { version: SERVER_VERSION, tools: app.pipeline.tools.length, database: app.db.kind, redis: Boolean(app.redis) },
    "serving MCP over stdio",
  );
}
