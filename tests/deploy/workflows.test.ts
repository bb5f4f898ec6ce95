// The GitHub Actions workflows validated by action-validator (@action-validator/core from npm: the
// SchemaStore github-workflow schema, compiled into its wasm build), plus what each workflow must do.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateWorkflow } from "@action-validator/core";

const DIR = ".github/workflows";
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const load = (f: string) => parse(readFileSync(`${DIR}/${f}`, "utf8")) as any;

describe("GitHub workflows", () => {
  it("the validator refuses an invalid workflow", () => {
    expect(validateWorkflow("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    step: []\n").errors.length).toBeGreaterThan(0);
    expect(validateWorkflow("name: x\njobs: {}\n").errors.length).toBeGreaterThan(0);
  });

  it("there are the test, docker and publish workflows", () => {
    expect(files).toEqual(["docker.yml", "publish.yml", "test.yml"]);
  });

  it.each(files)("%s is a valid workflow", (f) => {
    expect(validateWorkflow(readFileSync(`${DIR}/${f}`, "utf8")).errors).toEqual([]);
  });

  it("test runs the README's test command on PostgreSQL and Redis service containers", () => {
    const job = load("test.yml").jobs.test;
    expect(Object.keys(job.services).sort()).toEqual(["postgres", "redis"]);
    expect(job.env.DATABASE_URL).toMatch(/^postgres:\/\//);
    expect(job.env.REDIS_URL).toMatch(/^redis:\/\//);
    expect(job.steps.map((s: { run?: string }) => s.run).filter(Boolean)).toContain("npm test");
    expect(readFileSync("README.md", "utf8")).toContain("npm ci && npm test");
  });

  it("docker builds and pushes on tags; publish uses npm provenance on release", () => {
    const docker = load("docker.yml");
    expect(docker.on.push.tags).toEqual(["v*"]);
    expect(docker.jobs.image.steps.find((s: { uses?: string }) => s.uses?.startsWith("docker/build-push-action"))?.with.push).toBe(true);
    const publish = load("publish.yml");
    expect(publish.on.release.types).toEqual(["published"]);
    expect(publish.permissions["id-token"]).toBe("write");
    expect(publish.jobs.npm.steps.map((s: { run?: string }) => s.run)).toContain("npm publish --provenance --access public");
  });
});
