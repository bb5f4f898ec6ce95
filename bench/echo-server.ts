// The baseline of the foundation benchmark: the smallest useful MCP server on the same SDK, over stdio,
// with one `echo` tool. Every cs-mcp figure is reported as a ratio to this server's, measured in the same run.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "bench-echo", version: "1.0.0" });

server.registerTool(
  "echo",
  { description: "Returns the text it is given.", inputSchema: { text: z.string() } },
  async ({ text }) => ({ content: [{ type: "text", text }] }),
);

const transport = new StdioServerTransport();
// Exit when the client closes stdin, as cs-mcp does.
transport.onclose = () => process.exit(0);
process.stdin.once("end", () => process.exit(0));
await server.connect(transport);
