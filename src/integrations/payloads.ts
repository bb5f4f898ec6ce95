// The payloads services put in the outbox, typed once: the registry's handlers read exactly these
// shapes, so a service and the dispatcher cannot disagree about what an operation carries.

export interface MailAddress {
  email: string;
  name?: string;
}

/** Operation "sendgrid.send": one mail to one or more recipients. */
export interface SendMailPayload {
  to: MailAddress[];
  subject: string;
  text?: string;
  html?: string;
  from?: MailAddress;
  reply_to?: MailAddress;
  categories?: string[];
  custom_args?: Record<string, string>;
}
