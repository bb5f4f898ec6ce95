/// <reference lib="dom" />
// A minimal MCP Apps host for the browser tests: loads a view's HTML into a sandboxed iframe (scripts
// only, opaque origin: no access to this page) and talks to it through the package's own host side,
// AppBridge over postMessage. Tool calls the view makes are answered by the test through
// window.hostCallTool (Playwright's exposeFunction), which runs them on the real tool pipeline.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

interface Mount {
  html: string;
  input: Record<string, unknown>;
  result: Record<string, unknown>;
  theme?: "light" | "dark";
  serverTools: boolean;
}

declare global {
  interface Window {
    mountView(m: Mount): Promise<void>;
    hostCallTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
    hostToolCalls: Array<{ name: string; arguments: Record<string, unknown> }>;
  }
}

window.hostToolCalls = [];

window.mountView = async ({ html, input, result, theme, serverTools }) => {
  document.getElementById("view")?.remove();
  const iframe = document.createElement("iframe");
  iframe.id = "view";
  iframe.setAttribute("sandbox", "allow-scripts");
  iframe.style.cssText = "width:960px;height:400px;border:0;display:block";
  document.body.append(iframe);

  const bridge = new AppBridge(null, { name: "cs-test-host", version: "1.0.0" }, serverTools ? { serverTools: {} } : {}, {
    hostContext: { ...(theme ? { theme } : {}), displayMode: "inline", platform: "web" },
  });
  // The view reports its content size; the host sizes the frame to it (as a chat client does).
  bridge.onsizechange = ({ height }: { height?: number }) => {
    if (height !== undefined) iframe.style.height = `${Math.ceil(height)}px`;
  };
  if (serverTools) {
    bridge.oncalltool = async (params: { name: string; arguments?: Record<string, unknown> }) => {
      window.hostToolCalls.push({ name: params.name, arguments: params.arguments ?? {} });
      return (await window.hostCallTool(params.name, params.arguments ?? {})) as never;
    };
  }
  const initialized = new Promise<void>((resolve) => {
    bridge.oninitialized = () => resolve();
  });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));
  iframe.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: input });
  await bridge.sendToolResult(result as never);
};
