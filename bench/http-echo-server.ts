// The baseline of `npm run bench:http`: the smallest useful MCP server on the same SDK over Streamable
// HTTP, stateless like cs-mcp's HTTP mode (a new server and transport per POST, as the SDK's stateless
// example does; GET and DELETE get 405), with one `echo` tool. Listens on 127.0.0.1 (port from argv[2],
// 0 = a free one; listen backlog from argv[3], as cs-mcp's CS_MCP_HTTP_BACKLOG) and prints "listening on http://127.0.0.1:PORT/mcp" on stderr once bound.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

function echoServer(): McpServer {
  const server = new McpServer({ name: "bench-http-echo", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Returns the text it is given.", inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  return server;
}

const http = createServer((req, res) => {
  if (req.method !== "POST" || req.url?.split("?")[0] !== "/mcp") {
    res.writeHead(405, { "Content-Type": "application/json", Allow: "POST" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed" }, id: null }));
    return;
  }
  const server = echoServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on("close", () => {
    void transport.close();
    void server.close();
  });
  server
    .connect(transport)
    .then(() => transport.handleRequest(req, res))
    .catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
});
// As cs-mcp does, so the two keep connections alive alike.
http.keepAliveTimeout = 65_000;
http.listen({ port: Number(process.argv[2] ?? 0), host: "127.0.0.1", backlog: Number(process.argv[3] ?? 511) }, () => {
  process.stderr.write(`listening on http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp\n`);
});
process.once("SIGTERM", () => process.exit(0));
