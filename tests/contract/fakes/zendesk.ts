// Zendesk Support fake, checked against zendesk/support-api.yaml (this project's description of the five
// Support API operations its client uses, written from Zendesk's reference; see the fixtures' SOURCES.md).
// node-zendesk appends `.json` to every path (Zendesk accepts both forms; the reference lists the bare
// paths), so the fake strips it before validation. It keeps tickets in memory, answers like Zendesk
// ({ ticket }, { ticket, audit }, { users, … }, { results, … }; 201 + Location on create), and honours the
// Idempotency-Key header on ticket creation the way Zendesk documents it: the same key with the same body
// returns the first ticket again (x-idempotency-lookup: hit), the same key with another body is a 400.
import { createHash } from "node:crypto";
import { FakeServer, loadContract } from "./contract-server.ts";

export interface ZendeskFake extends FakeServer {
  tickets: Map<number, Record<string, any>>;
  users: Array<Record<string, any>>;
}

const AUTH = `Basic ${Buffer.from("agent@acme.test/token:zd-test-token").toString("base64")}`;

export async function startZendeskFake(): Promise<ZendeskFake> {
  const api = await loadContract("zendesk/support-api.yaml");
  const tickets = new Map<number, Record<string, any>>();
  const users: Array<Record<string, any>> = [
    { id: 501, name: "Ana Lima", email: "ana@acme.test", role: "end-user", url: "https://acme.zendesk.com/api/v2/users/501.json" },
    { id: 502, name: "Bo Chen", email: "bo@acme.test", role: "end-user", url: "https://acme.zendesk.com/api/v2/users/502.json" },
  ];
  const idempotency = new Map<string, { hash: string; ticketId: number }>();
  let nextId = 1001;
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const notFound = { status: 404, body: { error: "RecordNotFound", description: "Not found" } };

  const fake = new FakeServer({
    name: "zendesk",
    api,
    normalize: (r) => ({ ...r, path: r.path.replace(/\.json$/, "") }),
    answer(req, self) {
      if (req.headers.authorization !== AUTH) return { status: 401, body: { error: "Couldn't authenticate you" } };
      const body = req.body as any;
      const idMatch = /^\/api\/v2\/tickets\/(\d+)$/.exec(req.contractPath);
      switch (req.operationId) {
        case "CreateTicket": {
          const key = req.headers["idempotency-key"] as string | undefined;
          const hash = createHash("sha256").update(req.rawBody).digest("hex");
          if (key) {
            const seen = idempotency.get(key);
            if (seen && seen.hash !== hash) {
              return { status: 400, body: { error: "IdempotentRequestError", description: "Request parameters do not match the original request for this idempotency key" } };
            }
            if (seen) return { status: 201, headers: { "x-idempotency-lookup": "hit", location: `${self.url}/api/v2/tickets/${seen.ticketId}.json` }, body: { ticket: tickets.get(seen.ticketId) } };
          }
          const t = body.ticket;
          const id = nextId++;
          const requester = t.requester_id ?? users.find((u) => u.email === t.requester?.email)?.id ?? 599;
          const ticket = {
            id,
            url: `${self.url}/api/v2/tickets/${id}.json`,
            subject: t.subject ?? null,
            raw_subject: t.subject ?? null,
            description: t.comment?.body ?? "",
            status: "new",
            priority: t.priority ?? null,
            type: t.type ?? null,
            tags: t.tags ?? [],
            external_id: t.external_id ?? null,
            requester_id: requester,
            submitter_id: requester,
            created_at: now(),
            updated_at: now(),
          };
          // The reference does not mark these fields nullable: leave unset ones out.
          for (const [k, v] of Object.entries(ticket)) if (v === null) delete (ticket as Record<string, unknown>)[k];
          tickets.set(id, ticket);
          if (key) idempotency.set(key, { hash, ticketId: id });
          return { status: 201, headers: { location: ticket.url, ...(key ? { "x-idempotency-lookup": "miss" } : {}) }, body: { ticket } };
        }
        case "ShowTicket": {
          const t = tickets.get(Number(idMatch?.[1]));
          return t ? { status: 200, body: { ticket: t } } : notFound;
        }
        case "UpdateTicket": {
          const id = Number(idMatch?.[1]);
          const t = tickets.get(id);
          if (!t) return notFound;
          const { comment, ...fields } = body.ticket ?? {};
          Object.assign(t, fields, { updated_at: now() });
          const events: Array<Record<string, unknown>> = [];
          if (comment) {
            (t.comments ??= []).push(comment);
            events.push({ id: 9000 + t.comments.length, type: "Comment", body: comment.body, public: comment.public ?? true, author_id: comment.author_id ?? 1 });
          }
          const audit = { id: 7000 + id, ticket_id: id, created_at: now(), author_id: 1, events };
          const { comments: _omit, ...ticket } = t;
          return { status: 200, body: { ticket, audit } };
        }
        case "SearchUsers": {
          const q = String(req.query.get("query") ?? "").replace(/^email:/, "").toLowerCase();
          const found = users.filter((u) => u.email.toLowerCase() === q);
          return { status: 200, body: { users: found, count: found.length, next_page: null, previous_page: null } };
        }
        case "ListSearchResults": {
          const q = String(req.query.get("query") ?? "");
          const results = [...tickets.values()]
            .filter((t) => q.includes("type:ticket") || String(t.subject ?? "").includes(q))
            .map(({ comments: _c, ...t }) => ({ ...t, result_type: "ticket" }));
          return { status: 200, body: { results, count: results.length, facets: null, next_page: null, previous_page: null } };
        }
        default:
          return { status: 404, body: { error: "InvalidEndpoint", description: "not faked" } };
      }
    },
  });
  return Object.assign(await fake.start(), { tickets, users }) as ZendeskFake;
}
