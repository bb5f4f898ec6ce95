// Intercom (API 2.14) fake, checked against intercom/api.intercom.io.yaml. Contacts, tags, notes and
// messages live in memory; answers follow the description's schemas (contact, contact_list, message,
// note, tag, admin_with_app). Data events are de-duplicated the way Intercom documents it: the same
// contact, event name and created_at is accepted (202) but stored once.
import { FakeServer, loadContract } from "./contract-server.ts";

export interface IntercomFake extends FakeServer {
  contacts: Map<string, Record<string, any>>;
  events: Array<Record<string, any>>;
  tagsOf: Map<string, Set<string>>;
}

export async function startIntercomFake(): Promise<IntercomFake> {
  // Repair: the description puts `nullable: true` on schemas without `type` (next to `$ref`/`allOf`/
  // `oneOf`), which ajv refuses to compile ("nullable" cannot be used without "type"); those keywords are
  // dropped (those fields then reject null, which only makes the fake's self-check stricter).
  const api = await loadContract("intercom/api.intercom.io.yaml", { transform: dropUntypedNullable });
  const contacts = new Map<string, Record<string, any>>();
  const tags = new Map<string, { type: "tag"; id: string; name: string }>();
  const tagsOf = new Map<string, Set<string>>();
  const events: Array<Record<string, any>> = [];
  const eventKeys = new Set<string>();
  let seq = 100;
  const now = () => Math.floor(Date.now() / 1000);
  const contactBody = (c: Record<string, any>) => c;
  const notFound = { status: 404, body: { type: "error.list", request_id: "req-404", errors: [{ code: "not_found", message: "Resource Not Found" }] } };

  const fake = new FakeServer({
    name: "intercom",
    api,
    answer(req) {
      if (req.headers.authorization !== "Bearer ic-test-token") {
        return { status: 401, body: { type: "error.list", request_id: "req-401", errors: [{ code: "unauthorized", message: "Access Token Invalid" }] } };
      }
      const body = req.body as any;
      const contactIdIn = /^\/contacts\/([^/]+)\//.exec(req.contractPath)?.[1];
      switch (req.operationId) {
        case "identifyAdmin":
          return { status: 200, body: { type: "admin", id: "991267460", name: "Ciara", email: "admin@acme.test", email_verified: true, app: { type: "app", id_code: "this_is_an_id64_that_should_be_at_least_4", name: "MyApp", created_at: 1734537243, secure: false, identity_verification: false, timezone: "America/Los_Angeles", region: "US" }, avatar: { type: "avatar", image_url: "https://static.intercomassets.com/assets/default-avatars/admins/128.png" }, has_inbox_seat: true } };
        case "SearchContacts": {
          const value = String(body?.query?.value ?? "").toLowerCase();
          const data = [...contacts.values()].filter((c) => String(c.email).toLowerCase() === value).map(contactBody);
          return { status: 200, body: { type: "list", data, total_count: data.length, pages: { type: "pages", page: 1, per_page: 1, total_pages: data.length ? 1 : 0 } } };
        }
        case "CreateContact": {
          const id = `6${String(seq++).padStart(23, "0")}`;
          const c = { type: "contact", id, workspace_id: "ecahpwf5", role: body.role ?? "user", email: body.email, name: body.name ?? null, external_id: body.external_id ?? null, created_at: now(), updated_at: now() };
          for (const [k, v] of Object.entries(c)) if (v === null) delete (c as Record<string, unknown>)[k];
          contacts.set(id, c);
          return { status: 200, body: c };
        }
        case "createMessage": {
          // The description's request enum says "in_app", its response enum "inapp": answer with the latter.
          if (!contacts.has(body.to?.id)) return notFound;
          return { status: 200, body: { type: "user_message", id: String(seq++), created_at: now(), subject: body.subject ?? "", body: body.body, message_type: body.message_type === "in_app" ? "inapp" : body.message_type, conversation_id: String(seq++) } };
        }
        case "createNote": {
          const c = contacts.get(contactIdIn ?? "");
          if (!c) return notFound;
          return { status: 200, body: { type: "note", id: String(seq++), created_at: now(), contact: { type: "contact", id: c.id }, author: { type: "admin", id: String(body.admin_id ?? "991267460"), name: "Ciara", email: "admin@acme.test" }, body: `<p>${body.body}</p>` } };
        }
        case "createTag": {
          const existing = [...tags.values()].find((t) => t.name === body.name);
          const t = existing ?? { type: "tag" as const, id: String(seq++), name: body.name };
          tags.set(t.id, t);
          return { status: 200, body: t };
        }
        case "attachTagToContact": {
          const t = tags.get(body.id);
          if (!contacts.has(contactIdIn ?? "") || !t) return notFound;
          (tagsOf.get(contactIdIn!) ?? tagsOf.set(contactIdIn!, new Set()).get(contactIdIn!)!).add(t.id);
          return { status: 200, body: t };
        }
        case "detachTagFromContact": {
          const m = /^\/contacts\/([^/]+)\/tags\/([^/]+)$/.exec(req.contractPath);
          const t = tags.get(m?.[2] ?? "");
          if (!m || !contacts.has(m[1]!) || !t) return notFound;
          tagsOf.get(m[1]!)?.delete(t.id);
          return { status: 200, body: t };
        }
        case "createDataEvent": {
          const who = body.id ?? body.user_id ?? body.email;
          const key = `${who}|${body.event_name}|${body.created_at}`;
          if (!eventKeys.has(key)) {
            eventKeys.add(key);
            events.push(body);
          }
          return { status: 202 };
        }
        default:
          return { status: 404, body: { type: "error.list", errors: [{ code: "not_found", message: "not faked" }] } };
      }
    },
  });
  return Object.assign(await fake.start(), { contacts, events, tagsOf }) as IntercomFake;
}

export let droppedNullable = 0;
function dropUntypedNullable(doc: unknown): unknown {
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    if ("nullable" in o && !("type" in o)) {
      delete o.nullable;
      droppedNullable++;
    }
    Object.values(o).forEach(walk);
  };
  walk(doc);
  return doc;
}
