// The request context of a tool call (request id, tool name, and who is calling when the transport knows), carried through async calls so that
// every log line written while serving the call names them without passing a logger around.
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestContext {
  request_id: string;
  tool?: string;
  /** Who is calling (a token subject, or key:<name>), recorded as the audit log's actor; absent over stdio. */
  actor?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}
