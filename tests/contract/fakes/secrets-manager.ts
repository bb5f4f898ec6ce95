// A fake AWS Secrets Manager on 127.0.0.1 speaking the GetSecretValue JSON 1.1 protocol (POST /,
// X-Amz-Target: secretsmanager.GetSecretValue, body {"SecretId": ...}), enough for the real
// @aws-sdk/client-secrets-manager. `put` rotates a secret (new VersionId); `reads` counts the reads.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";

export interface FakeSecretsManager {
  url: string;
  reads: number;
  targets: string[];
  put(id: string, value: string): void;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, { value: string; version: string; created: number }>();
  const fake: FakeSecretsManager = {
    url: "",
    reads: 0,
    targets: [],
    put(id, value) {
      secrets.set(id, { value, version: randomUUID(), created: Date.now() / 1000 });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      fake.targets.push(target);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || target !== "secretsmanager.GetSecretValue") return send(400, { __type: "UnknownOperationException", message: `not faked: ${target}` });
      let id = "";
      try {
        id = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { SecretId: string }).SecretId;
      } catch {
        return send(400, { __type: "SerializationException", message: "bad JSON" });
      }
      const s = secrets.get(id);
      fake.reads++;
      if (!s) return send(400, { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." });
      send(200, { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}`, Name: id, SecretString: s.value, VersionId: s.version, VersionStages: ["AWSCURRENT"], CreatedDate: s.created });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return fake;
}
