// The payloads services put in the outbox, typed once: the registry's handlers read exactly these
// shapes, so a service and the dispatcher cannot disagree about what an operation carries.
import type { MailInput } from "./sendgrid/client.ts";

/** Operation "sendgrid.send": one mail, the SendGrid client's own input. */
export type SendMailPayload = MailInput;
