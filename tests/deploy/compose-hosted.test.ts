// docker-compose.hosted.yml: two cs-mcp instances on one PostgreSQL and Redis behind HAProxy, migrations by a
// one-shot service first. Parsed and checked for the wiring that makes it work (the same database and Redis
// for both instances, bound beyond loopback, started only after the migrations, only the proxy published),
// and the proxy's configuration checked by `haproxy -c` with the compose file's own variables (Debian's
// haproxy package; .ci/run installs it). Every compose file is also validated and resolved by a real Compose
// implementation, Debian's docker-compose 1.29 (.ci/run installs it): `config -q`, and the resolved services.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

type Service = {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
};
const compose = parse(readFileSync("docker-compose.hosted.yml", "utf8"), { merge: true }) as { services: Record<string, Service> };
const s = compose.services;

describe("docker-compose.hosted.yml", () => {
  it("has PostgreSQL, Redis, a migration one-shot, two instances and a proxy", () => {
    expect(Object.keys(s).sort()).toEqual(["cs-mcp-1", "cs-mcp-2", "migrate", "postgres", "proxy", "redis"]);
    expect(s.migrate!.command).toEqual(["node", "dist/src/cli.js", "migrate"]);
    expect(s.migrate!.restart).toBe("no");
    expect(s.migrate!.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
  });

  it("runs both instances alike: HTTP on 0.0.0.0:3000, the same database and Redis, after the migrations", () => {
    const [a, b] = [s["cs-mcp-1"]!, s["cs-mcp-2"]!];
    expect(a.environment).toEqual(b.environment);
    const env = a.environment!;
    expect(env).toMatchObject({ CS_MCP_HTTP: "true", CS_MCP_HTTP_HOST: "0.0.0.0", CS_MCP_HTTP_PORT: "3000", REDIS_URL: "redis://redis:6379", CS_MCP_AUTO_MIGRATE: "false" });
    expect(env.DATABASE_URL).toBe(s.migrate!.environment!.DATABASE_URL);
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
    expect(env.CS_MCP_RESOURCE_URL).toContain("/mcp");
    expect(a.depends_on).toEqual({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" }, migrate: { condition: "service_completed_successfully" } });
    expect(a.healthcheck!.test.join(" ")).toContain("/readyz");
    expect(a.ports).toBeUndefined();
    expect(s.postgres!.ports).toBeUndefined();
    expect(s.redis!.ports).toBeUndefined();
  });

  it("publishes only the proxy, which balances the two instances with deploy/proxy/haproxy.cfg", () => {
    const p = s.proxy!;
    expect(p.ports).toEqual(["${CS_MCP_PROXY_PORT:-8080}:8080"]);
    expect(p.volumes).toEqual(["./deploy/proxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"]);
    expect(p.environment).toEqual({ CS_MCP_PROXY_BIND: ":8080", CS_MCP_UPSTREAM_1: "cs-mcp-1:3000", CS_MCP_UPSTREAM_2: "cs-mcp-2:3000" });
    const cfg = readFileSync("deploy/proxy/haproxy.cfg", "utf8");
    expect(cfg).toMatch(/^\s+balance roundrobin$/m);
    expect(cfg).toMatch(/^\s+option httpchk GET \/readyz$/m);
  });

  it("haproxy -c accepts the proxy configuration with the compose file's variables", () => {
    const r = spawnSync("haproxy", ["-c", "-f", "deploy/proxy/haproxy.cfg"], { env: { PATH: process.env.PATH ?? "", ...s.proxy!.environment }, encoding: "utf8" });
    expect(r.error, "haproxy is not installed (Debian package haproxy; .ci/run installs it)").toBeUndefined();
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain("Configuration file is valid");
  });

  describe("docker-compose (Debian's 1.29)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-mcp-compose-"));
    // An empty --env-file: a developer's own .env must not change what is checked.
    const emptyEnv = join(dir, "empty.env");
    writeFileSync(emptyEnv, "");
    const compose = (args: string[], env: Record<string, string> = {}) => {
      const r = spawnSync("docker-compose", ["--env-file", emptyEnv, ...args], { env: { PATH: process.env.PATH ?? "", HOME: dir, ...env }, encoding: "utf8", timeout: 60_000 });
      expect(r.error, "docker-compose is not installed (Debian package docker-compose; .ci/run installs it)").toBeUndefined();
      return r;
    };
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(["docker-compose.hosted.yml", "docker-compose.yml", "docker-compose.yml + docker/compose.demo.yml"])("config -q accepts %s", (files) => {
      const r = compose([...files.split(" + ").flatMap((f) => ["-f", f]), "config", "-q"]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
    });

    it("resolves both instances alike; the settings file CS_MCP_ENV_FILE names reaches them, the compose file's values win", () => {
      const settings = join(dir, "settings.env");
      writeFileSync(settings, "LOG_LEVEL=debug\nDATABASE_URL=postgres://elsewhere/db\n");
      const r = compose(["-f", "docker-compose.hosted.yml", "config"], { CS_MCP_ENV_FILE: settings });
      expect(r.status, r.stderr).toBe(0);
      const resolved = parse(r.stdout) as { services: Record<string, Service> };
      const [a, b] = [resolved.services["cs-mcp-1"]!, resolved.services["cs-mcp-2"]!];
      expect(a.environment).toEqual(b.environment);
      expect(a.environment).toMatchObject({ LOG_LEVEL: "debug", DATABASE_URL: "postgres://csmcp:csmcp-local-only@postgres:5432/customer_success", CS_MCP_HTTP_HOST: "0.0.0.0" });
      expect(Object.keys(resolved.services).sort()).toEqual(["cs-mcp-1", "cs-mcp-2", "migrate", "postgres", "proxy", "redis"]);
    });
  });
});
