// SendGrid Mail Send v3 fake, checked against sendgrid/tsg_mail_v3.yaml. Answers 202 Accepted with an
// empty body and an X-Message-Id header, like SendGrid. SendGrid does not dedupe mail sends, so neither
// does the fake: it records every accepted message.
import { randomBytes } from "node:crypto";
import { FakeServer, loadContract } from "./contract-server.ts";

export async function startSendGridFake(): Promise<FakeServer> {
  const api = await loadContract("sendgrid/tsg_mail_v3.yaml");
  return new FakeServer({
    name: "sendgrid",
    api,
    answer(req) {
      if (req.headers.authorization !== "Bearer SG.test-key") {
        return { status: 401, body: { errors: [{ field: null, message: "The provided authorization grant is invalid, expired, or revoked" }] } };
      }
      if (req.operationId === "SendMail") {
        return { status: 202, headers: { "x-message-id": randomBytes(11).toString("base64url") } };
      }
      return { status: 404, body: { errors: [{ message: "not faked" }] } };
    },
  }).start();
}
