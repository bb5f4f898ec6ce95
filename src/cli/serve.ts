// `cs-mcp serve`: MCP over stdio until stdin closes or a signal arrives, then a prompt, clean exit
// (database closed) within 2 seconds. The transport is connected first and the database opened behind
// it, so a client's initialize and tools/list are answered while the database is still opening; tool
// calls wait for it. A database that cannot be opened ends the process with code 1.
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { Metrics } from "../observability/metrics.ts";
import { createMcpServer } from "../server/create-server.ts";
import { serverResources } from "../server/resources/catalogue.ts";
import { ToolPipeline } from "../server/pipeline.ts";
import { StartupProgress } from "../server/startup-progress.ts";
import { SafeStdioTransport } from "../server/stdio-transport.ts";
import { serializeError } from "../server/errors.ts";
import { toolSurface } from "../tools/index.ts";
import { installProcessGuards } from "./process-guards.ts";
import { SERVER_VERSION } from "../version.ts";
import type { Runtime } from "../app.ts";
import type { Database } from "../db/database.ts";
import type { OutboxDispatcher } from "../integrations/outbox-dispatcher.ts";

const EXIT_DEADLINE_MS = 1_800;
/** After the client's `initialized`, the time its tools/list usually takes to arrive. */
const DEMO_AFTER_HANDSHAKE_MS = 300;
/** The outbox dispatcher starts this long after the database opens (the first call comes first). */
const DISPATCH_AFTER_OPEN_MS = 1_000;

export interface ServeOptions {
  demo: boolean;
  /** The database, already opening (cli.ts starts it while this module loads); opened here otherwise. */
  database?: Promise<Database>;
}

export async function serve(config: Config, logger: Logger, options: ServeOptions): Promise<void> {
  // Streamable HTTP is its own mode (src/http); what follows is the stdio path.
  if (config.CS_MCP_HTTP) return (await import("../http/serve-http.ts")).serveHttp(config, logger);
  let shuttingDown = false;
  let runtime: Promise<Runtime | null> = Promise.resolve(null);
  let dispatcher: OutboxDispatcher | null = null;
  const surface = toolSurface(config);
  const tools = surface.allowed;
  const metrics = new Metrics();

  const startup = new StartupProgress();
  // Generating the demo is CPU-bound: it starts once the client's handshake is over (initialize and
  // tools/list are answered first) or as soon as a call waits for it, whichever comes first.
  let startDemo = () => {};
  const demoGate = new Promise<void>((resolve) => (startDemo = resolve));

  const opening = (async (): Promise<Runtime> => {
    const { openRuntime } = await import("../app.ts");
    const rt = await openRuntime(config, logger, metrics, options.database ? { database: options.database } : {});
    if (options.demo) {
      // Loaded only when asked for: the generator is not part of a normal start-up.
      const { demoLoaded, loadDemo } = await import("../services/demo/index.ts");
      const present = await demoLoaded(rt.db);
      if (present === 0) {
        await demoGate;
        const summary = await loadDemo(rt.db, { settings: config, onProgress: (done, total, message) => startup.report(done, total, message) });
        logger.info({ summary }, "demo portfolio loaded");
      } else logger.info({ accounts: present }, "demo portfolio already present");
    }
    return rt;
  })();
  let openFailed = false;
  runtime = opening.catch(() => {
    openFailed = true;
    return null;
  });

  const pipeline = new ToolPipeline(tools, {
    services: opening.then((rt) => rt.services),
    limiter: opening.then((rt) => rt.limiter),
    logger,
    metrics,
    timeoutMs: config.CS_MCP_TOOL_TIMEOUT_MS,
    readOnly: config.CS_MCP_READ_ONLY,
    startup,
    onWait: () => startDemo(),
  });
  const server = createMcpServer(pipeline, { surface, services: opening.then((rt) => rt.services), resources: serverResources(config), logger });

  const shutdown = (code: number) => {
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
      const rt = await runtime;
      await dispatcher?.stop(500);
      await rt?.close();
      // A server whose database never opened has failed, even when stdin closed first.
      const exitCode = openFailed && code === 0 ? 1 : code;
      logger.info({ code: exitCode }, "stopped");
      process.exit(exitCode);
    })();
  };
  installProcessGuards(logger, () => shutdown(0));

  const transport = new SafeStdioTransport(process.stdin, process.stdout, {
    maxMessageBytes: config.CS_MCP_MAX_MESSAGE_BYTES,
    onOversize(bytes) {
      logger.fatal({ bytes, limit: config.CS_MCP_MAX_MESSAGE_BYTES }, "message larger than CS_MCP_MAX_MESSAGE_BYTES: closing");
      shutdown(2);
    },
  });
  server.onclose = () => shutdown(0);
  process.once("SIGINT", () => shutdown(0));
  process.once("SIGTERM", () => shutdown(0));
  server.oninitialized = () => setTimeout(() => startDemo(), DEMO_AFTER_HANDSHAKE_MS);
  await server.connect(transport);

  const startDispatching = async (rt: Runtime) => {
    if (shuttingDown) return;
    try {
      const { startDispatcher } = await import("./worker.ts");
      const started = await startDispatcher(config, logger, rt);
      if (shuttingDown) await started.stop(500);
      else dispatcher = started;
      logger.info({ version: SERVER_VERSION }, "outbox dispatch started");
    } catch (err) {
      logger.error({ err: serializeError(err) }, "the outbox dispatcher did not start: queued effects wait for `cs-mcp worker`");
    }
  };

  opening.then(
    (rt) => {
      // A read-only server changes nothing, and delivering queued effects (emails, vendor writes) is a change.
      // Queued side effects are delivered from this process too (several servers share the work); started a
      // little after the database opens, so that loading the vendor code does not delay the first answer.
      if (config.OUTBOX_DISPATCH_IN_SERVER && !config.CS_MCP_READ_ONLY) setTimeout(() => void startDispatching(rt), DISPATCH_AFTER_OPEN_MS);
      logger.info({ version: SERVER_VERSION, tools: tools.length, listed: surface.initial.size, database: rt.db.kind, redis: Boolean(rt.redis), outbox_dispatch: config.OUTBOX_DISPATCH_IN_SERVER && !config.CS_MCP_READ_ONLY }, "serving MCP over stdio");
    },
    (err: unknown) => {
      logger.fatal({ err: serializeError(err) }, "cannot open the database");
      process.stderr.write(`cs-mcp: cannot open the database: ${serializeError(err).message}\n`);
      shutdown(1);
    },
  );
}
