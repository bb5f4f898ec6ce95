// deploy/k8s rendered by kustomize (the `kustomize` binary, or `kubectl kustomize` — Debian's
// kubernetes-client, installed by .ci/run when neither is present) and every rendered object validated
// against the Kubernetes JSON schemas of kubernetes-models (npm). Then the operational rules: probes on
// /healthz and /readyz, non-root, read-only root filesystem, no privilege escalation, all capabilities
// dropped, resources set, secrets only by reference.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import * as appsV1 from "kubernetes-models/apps/v1";
import * as batchV1 from "kubernetes-models/batch/v1";
import * as coreV1 from "kubernetes-models/v1";
import * as autoscalingV2 from "kubernetes-models/autoscaling/v2";
import * as policyV1 from "kubernetes-models/policy/v1";
import * as networkingV1 from "kubernetes-models/networking.k8s.io/v1";

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: any; data?: Record<string, string> };

const MODELS: Record<string, Record<string, new (o: any) => { validate(): void }>> = {
  "apps/v1": appsV1 as any,
  "batch/v1": batchV1 as any,
  v1: coreV1 as any,
  "autoscaling/v2": autoscalingV2 as any,
  "policy/v1": policyV1 as any,
  "networking.k8s.io/v1": networkingV1 as any,
};

function render(dir: string): Obj[] {
  const tries: Array<[string, string[]]> = [["kustomize", ["build", dir]], ["kubectl", ["kustomize", dir]]];
  for (const [cmd, args] of tries) {
    const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000 });
    if (r.error) continue; // not installed: try the next one
    expect(r.status, r.stderr).toBe(0);
    return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj).filter(Boolean);
  }
  throw new Error("neither kustomize nor kubectl is installed (apt-get install -y kubernetes-client)");
}

function validate(o: Obj): void {
  const Model = MODELS[o.apiVersion]?.[o.kind];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}

const podSpec = (o: Obj) => (o.kind === "CronJob" ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);

describe("the schema validation itself", () => {
  it("refuses an invalid object", () => {
    expect(() => validate({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "two", selector: {}, template: {} } })).toThrow(/replicas/);
    expect(() => validate({ apiVersion: "v1", kind: "Service", metadata: { name: "x" }, spec: { ports: [{ port: "http" }] } })).toThrow();
  });
});

describe.each(["staging", "production"])("deploy/k8s/overlays/%s", (overlay) => {
  const objects = render(`deploy/k8s/overlays/${overlay}`);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

  it("renders the expected objects in the overlay's namespace", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "ConfigMap/cs-mcp-config", "CronJob/cs-mcp-backup", "Deployment/cs-mcp", "Deployment/cs-mcp-worker", "HorizontalPodAutoscaler/cs-mcp",
      "Job/cs-mcp-migrate", "NetworkPolicy/cs-mcp", "PodDisruptionBudget/cs-mcp", "Service/cs-mcp", "Service/cs-mcp-pods", "ServiceAccount/cs-mcp",
    ]);
    for (const o of objects) expect(o.metadata.namespace).toBe(overlay === "production" ? "cs-mcp" : "cs-mcp-staging");
    expect(byKind("ConfigMap")[0]!.data!.CS_MCP_PROFILE).toBe(overlay);
  });

  it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))("%s is valid against the Kubernetes schema", (_n, o) => {
    expect(() => validate(o)).not.toThrow();
  });

  it("every workload runs non-root with a read-only root filesystem, no privilege escalation, no capabilities, resources set, secrets by reference", () => {
    const workloads = objects.filter((o) => ["Deployment", "Job", "CronJob"].includes(o.kind));
    expect(workloads).toHaveLength(4);
    for (const w of workloads) {
      const spec = podSpec(w);
      expect(spec.securityContext.runAsNonRoot, w.metadata.name).toBe(true);
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of spec.containers) {
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(c.resources.requests.memory && c.resources.limits.memory && c.resources.requests.cpu).toBeTruthy();
        expect(c.envFrom).toContainEqual({ secretRef: { name: "cs-mcp-secrets" } });
        expect(c.env ?? []).toEqual([]); // no literal values: secrets only through the Secret reference
      }
    }
    expect(byKind("Secret")).toEqual([]);
  });

  it("the server runs the HTTP mode with probes on /healthz and /readyz and the memory sized from the measured RSS", () => {
    const server = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "cs-mcp")!;
    const c = podSpec(server).containers[0];
    expect(c.args).toEqual(["serve", "--http", "--host", "0.0.0.0"]);
    expect(c.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.resources).toEqual({ requests: { cpu: "250m", memory: "384Mi" }, limits: { cpu: "1", memory: "768Mi" } });
    const worker = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "cs-mcp-worker")!;
    expect(podSpec(worker).containers[0].args).toEqual(["worker"]);
    expect(podSpec(byKind("Job")[0]!).containers[0].args).toEqual(["migrate"]);
    expect(podSpec(byKind("CronJob")[0]!).containers[0].args).toEqual(["backup", "--json"]);
  });

  it("the HPA, the PodDisruptionBudget and the Services select the server pods", () => {
    const labels = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "cs-mcp")!.spec.template.metadata.labels;
    const matches = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    expect(matches(byKind("PodDisruptionBudget")[0]!.spec.selector.matchLabels)).toBe(true);
    for (const s of byKind("Service")) expect(matches(s.spec.selector)).toBe(true);
    expect(byKind("HorizontalPodAutoscaler")[0]!.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "cs-mcp" });
    const pdb = byKind("PodDisruptionBudget")[0]!.spec.minAvailable;
    expect(pdb).toBeLessThan(byKind("HorizontalPodAutoscaler")[0]!.spec.minReplicas);
  });
});
