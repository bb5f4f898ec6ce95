// The boundary between the integration clients (one per vendor, on the vendor's official package) and
// the machinery around them (resilience wrapper, outbox dispatcher). Clients classify every failure into
// one of these errors; the wrapper decides from the class alone whether to retry.
import type { Integration } from "./status.ts";

/** A vendor answered with an HTTP status (or the request failed at the network level: status 0). */
export class VendorError extends Error {
  constructor(
    readonly integration: Integration,
    readonly status: number,
    message: string,
    /** Milliseconds the vendor asked us to wait (Retry-After), when it said so. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "VendorError";
  }

  /** 429, 5xx and network failures are worth another try; any other 4xx is not. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** The circuit for this vendor is open: the call was not attempted. */
export class CircuitOpenError extends Error {
  constructor(readonly integration: Integration) {
    super(`${integration} is unavailable (circuit open after repeated failures); the request is kept and retried later`);
    this.name = "CircuitOpenError";
  }
}

/** The call did not finish within its deadline and was aborted. */
export class VendorTimeoutError extends Error {
  constructor(readonly integration: Integration, readonly ms: number) {
    super(`${integration} did not answer within ${ms} ms`);
    this.name = "VendorTimeoutError";
  }
}

export interface DeliveryContext {
  /** The outbox row's idempotency key: clients pass it to the vendor where the vendor supports one. */
  idempotencyKey: string;
  /** Aborted when the call's deadline passes; clients must pass it to the HTTP request. */
  signal: AbortSignal;
  /**
   * The caller already runs the whole delivery through the resilience wrapper (the outbox dispatcher: one
   * outbox attempt = one request, no retries inside it, one breaker count), so handlers make their vendor
   * requests directly with `signal` instead of wrapping each one again.
   */
  policyApplied?: boolean;
}

export interface DeliveryResult {
  /** The id the vendor gave the created object (ticket id, message id…), when there is one. */
  external_id?: string;
  result?: Record<string, unknown>;
}

/** One outbox operation, e.g. "sendgrid.send" or "zendesk.create_ticket": payload in, vendor result out. */
export type OperationHandler = (payload: Record<string, unknown>, ctx: DeliveryContext) => Promise<DeliveryResult>;

export interface OperationEntry {
  integration: Integration;
  handler: OperationHandler;
  /**
   * The vendor makes a second request with the same idempotency key a no-op (Zendesk's Idempotency-Key,
   * Mixpanel's $insert_id, a plain overwrite). Only such a delivery is re-sent automatically when its
   * dispatcher died mid-request; any other is parked as `unknown_outcome` for an operator, since it may
   * already have arrived. Absent means not idempotent.
   */
  idempotent?: boolean;
}

export type OperationRegistry = Record<string, OperationEntry>;
