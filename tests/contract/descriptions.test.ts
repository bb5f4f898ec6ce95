// The vendor descriptions the contract tests check against live in the repository (tests/fixtures/contracts):
// the copied ones are byte for byte what SOURCES.md says they are, and every fake really refuses a request
// its description does not allow — a check that could not fail would prove nothing about our clients.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTRACTS_DIR, type FakeServer } from "./fakes/contract-server.ts";
import { startIntercomFake } from "./fakes/intercom.ts";
import { startMixpanelFake } from "./fakes/mixpanel.ts";
import { startSendGridFake } from "./fakes/sendgrid.ts";
import { startZendeskFake } from "./fakes/zendesk.ts";

describe("the descriptions in tests/fixtures/contracts", () => {
  const sources = readFileSync(`${CONTRACTS_DIR}SOURCES.md`, "utf8");
  // "| Vendor | `file` | copied (MIT) | bytes | `sha256` |"
  const copied = [...sources.matchAll(/^\| [^|]+ \| `([^`]+)` \| copied \(MIT\) \| ([\d,]+) \| `([0-9a-f]{64})` \|$/gm)].map((m) => ({ file: m[1]!, bytes: Number(m[2]!.replace(/,/g, "")), sha256: m[3]! }));

  it("copies are the upstream files SOURCES.md names, with their licence beside them", () => {
    expect(copied.map((c) => c.file).sort()).toEqual(["intercom/api.intercom.io.yaml", "sendgrid/tsg_mail_v3.yaml"]);
    for (const c of copied) {
      const bytes = readFileSync(CONTRACTS_DIR + c.file);
      expect({ file: c.file, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }).toEqual(c);
    }
    expect(readFileSync(`${CONTRACTS_DIR}intercom/LICENSE.md`, "utf8")).toContain("Copyright (c) 2022 Intercom, Inc.");
    expect(readFileSync(`${CONTRACTS_DIR}sendgrid/LICENSE`, "utf8")).toContain("Copyright (c) 2024 Twilio");
  });

  it("the descriptions written by this project say so and name the reference they follow", () => {
    for (const file of ["zendesk/support-api.yaml", "mixpanel/ingestion.yaml", "mixpanel/export.yaml"]) {
      const head = readFileSync(CONTRACTS_DIR + file, "utf8").split("\nopenapi:")[0]!.replace(/\n# /g, " ");
      expect(head, file).toMatch(/Written by this project from .+ reference/s);
      expect(sources).toContain(`\`${file}\` | written by this project`);
    }
  });
});

describe("each fake refuses what its description does not allow", () => {
  const fakes: FakeServer[] = [];
  let zendesk: FakeServer, mixpanel: FakeServer, sendgrid: FakeServer, intercom: FakeServer;
  beforeAll(async () => {
    [zendesk, mixpanel, sendgrid, intercom] = await Promise.all([startZendeskFake(), startMixpanelFake({ token: "t", secret: "s" }), startSendGridFake(), startIntercomFake()]);
    fakes.push(zendesk, mixpanel, sendgrid, intercom);
  });
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.stop()));
  });

  async function refused(fake: FakeServer, method: string, path: string, body?: unknown): Promise<{ status: number; violations: string }> {
    fake.reset();
    const res = await fetch(fake.url + path, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    await res.arrayBuffer();
    const out = { status: res.status, violations: JSON.stringify(fake.violations) };
    expect(fake.violations, `${method} ${path}`).toHaveLength(1);
    expect(fake.received, `${method} ${path}`).toHaveLength(0);
    fake.reset();
    return out;
  }

  it("Zendesk: a ticket without its comment, an unknown priority, a non-numeric id, an unknown path", async () => {
    expect(await refused(zendesk, "POST", "/api/v2/tickets.json", { ticket: { subject: "s" } })).toMatchObject({ status: 400, violations: expect.stringContaining("comment") });
    expect(await refused(zendesk, "PUT", "/api/v2/tickets/1.json", { ticket: { priority: "critical" } })).toMatchObject({ status: 400, violations: expect.stringContaining("enum") });
    expect((await refused(zendesk, "GET", "/api/v2/tickets/abc.json")).status).toBe(400);
    expect((await refused(zendesk, "GET", "/api/v2/search.json")).violations).toContain("query");
    expect((await refused(zendesk, "DELETE", "/api/v2/tickets/1.json")).status).toBe(404);
  });

  it("Mixpanel: an import without project_id, an event without properties, an export without to_date, an undeclared parameter", async () => {
    expect((await refused(mixpanel, "POST", "/import?strict=1", [{ event: "e", properties: { time: 1, distinct_id: "u", $insert_id: "i" } }])).violations).toContain("project_id");
    expect((await refused(mixpanel, "POST", "/import?strict=1&project_id=1", [{ event: "e", properties: { time: 1, distinct_id: "u" } }])).violations).toContain("$insert_id");
    expect((await refused(mixpanel, "POST", "/track", [{ event: "e" }])).violations).toContain("properties");
    expect((await refused(mixpanel, "GET", "/api/2.0/export?from_date=2026-01-01")).violations).toContain("to_date");
    expect((await refused(mixpanel, "GET", "/api/2.0/export?from_date=2026-01-01&to_date=2026-01-02&format=csv")).violations).toContain("format");
  });

  it("SendGrid and Intercom: a mail without recipients, a contact search without its query", async () => {
    expect((await refused(sendgrid, "POST", "/v3/mail/send", { from: { email: "a@example.test" }, subject: "s", content: [{ type: "text/plain", value: "v" }] })).violations).toContain("personalizations");
    expect((await refused(intercom, "POST", "/contacts/search", {})).violations).toContain("query");
  });
});
