// Spawns the built `cs-mcp serve --http` on 127.0.0.1 port 0 and waits for the line that names its port.
import { spawn, type ChildProcess } from "node:child_process";
import { CLI, serverEnv } from "./server.ts";

export interface HttpServerProcess {
  proc: ChildProcess;
  port: number;
  base: string;
  stderr: () => string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export function spawnHttp(env: Record<string, string>, args: string[] = []): { proc: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CLI, "serve", "--http", ...args], { env: serverEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, stderr: () => err, exited };
}

export async function startHttpServer(env: Record<string, string>, args: string[] = ["--port", "0"]): Promise<HttpServerProcess> {
  const { proc, stderr, exited } = spawnHttp(env, args);
  const port = await new Promise<number>((resolve, reject) => {
    const check = () => {
      const m = /cs-mcp: listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/.exec(stderr());
      if (m) {
        proc.stderr?.off("data", check);
        resolve(Number(m[1]));
      }
    };
    proc.stderr?.on("data", check);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${stderr()}`)));
  });
  return {
    proc,
    port,
    base: `http://127.0.0.1:${port}`,
    stderr,
    exited,
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      return exited;
    },
  };
}
