// The one resilience wrapper every vendor call goes through:
//   - a timeout per request, enforced with an AbortSignal the request receives (the request is really
//     cancelled, and the call returns at the timeout even if the request ignores the signal);
//   - retries of 429, 5xx, timeouts and network errors (never other 4xx) with exponential backoff and
//     jitter (p-retry), waiting at least as long as the vendor's Retry-After;
//   - an overall deadline per call: no attempt starts that could not get a useful slice of the time
//     left, and the call itself never outlives the deadline;
//   - an opossum circuit breaker per vendor: INTEGRATION_BREAKER_THRESHOLD consecutive failed requests
//     open it, calls then fail at once with CircuitOpenError; after INTEGRATION_BREAKER_RESET_MS one
//     probe is let through (half-open) and closes it on success. State changes are logged (warn) and,
//     with REDIS_URL, shared with the other instances.
import CircuitBreaker from "opossum";
import pRetry, { AbortError } from "p-retry";
import type { Redis } from "ioredis";
import type { Config } from "../../config/load.ts";
import type { Logger } from "../../observability/logger.ts";
import { INTEGRATIONS, type Integration } from "../status.ts";
import { CircuitOpenError, VendorError, VendorTimeoutError } from "../types.ts";
import { nextDelayMs, sleep } from "./backoff.ts";
import { startBreakerSync, type BreakerSync, type SharedState } from "./breaker-sync.ts";

export type BreakerState = "closed" | "open" | "half_open";

export interface CallOptions {
  /** Overall deadline of this call in ms, retries and waits included (default INTEGRATION_DEADLINE_MS). */
  deadlineMs?: number;
  /** Retries after the first attempt (default INTEGRATION_MAX_RETRIES; the outbox dispatcher uses 0). */
  retries?: number;
  /** The caller's cancellation (a tool call's deadline): aborts the request in flight. */
  signal?: AbortSignal;
}

export interface Resilience {
  call<T>(integration: Integration, fn: (signal: AbortSignal) => Promise<T>, opts?: CallOptions): Promise<T>;
  breakerState(integration: Integration): BreakerState;
  states(): Record<Integration, BreakerState>;
  /** Resolves when cross-instance breaker sharing is listening (immediately without Redis). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export type ResilienceConfig = Pick<
  Config,
  | "ZENDESK_TIMEOUT_MS"
  | "INTERCOM_TIMEOUT_MS"
  | "MIXPANEL_TIMEOUT_MS"
  | "SENDGRID_TIMEOUT_MS"
  | "INTEGRATION_DEADLINE_MS"
  | "INTEGRATION_MAX_RETRIES"
  | "INTEGRATION_BREAKER_THRESHOLD"
  | "INTEGRATION_BREAKER_RESET_MS"
>;

export interface ResilienceOptions {
  /** First backoff step (doubled per retry, jittered). Default 250 ms. */
  backoffBaseMs?: number;
  /** Largest backoff step. Default 5000 ms. */
  backoffMaxMs?: number;
  /** No retry starts with less than this much of the deadline left. Default 100 ms. */
  minAttemptMs?: number;
}

/** The caller cancelled: not the vendor's fault, so not a breaker failure and not retried. */
class CallCancelledError extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : "the call was cancelled");
    this.name = "CallCancelledError";
  }
}

function isRetryable(err: unknown): boolean {
  if (err instanceof VendorError) return err.retryable;
  return err instanceof VendorTimeoutError;
}

/** Errors that say nothing bad about the vendor's health: a 4xx other than 429, a cancellation. */
function isNotVendorFailure(err: unknown): boolean {
  return (err instanceof VendorError && !err.retryable) || err instanceof CallCancelledError;
}

type Attempt = (fn: (signal: AbortSignal) => Promise<unknown>, attemptMs: number, outer: AbortSignal) => Promise<unknown>;

export function createResilience(config: ResilienceConfig, logger: Logger, redis?: Redis | null, options: ResilienceOptions = {}): Resilience {
  const backoffBaseMs = options.backoffBaseMs ?? 250;
  const backoffMaxMs = options.backoffMaxMs ?? 5_000;
  const minAttemptMs = options.minAttemptMs ?? 100;
  const timeouts: Record<Integration, number> = {
    zendesk: config.ZENDESK_TIMEOUT_MS,
    intercom: config.INTERCOM_TIMEOUT_MS,
    mixpanel: config.MIXPANEL_TIMEOUT_MS,
    sendgrid: config.SENDGRID_TIMEOUT_MS,
  };
  const log = logger.child({ component: "resilience" });

  let sync: BreakerSync | null = null;
  // Set while a state change received from another instance is applied, so it is not echoed back.
  let applyingRemote = false;

  const breakers = {} as Record<Integration, CircuitBreaker<Parameters<Attempt>, unknown>>;
  for (const integration of INTEGRATIONS) {
    const attempt: Attempt = (fn, attemptMs, outer) => runAttempt(integration, fn, attemptMs, outer);
    const breaker = new CircuitBreaker(attempt, {
      name: integration,
      timeout: false, // our own timeout aborts the request; opossum's would only stop waiting for it
      resetTimeout: config.INTEGRATION_BREAKER_RESET_MS,
      errorThresholdPercentage: 100, // never by percentage: the consecutive-failure count below opens it
      errorFilter: (err: unknown) => isNotVendorFailure(err),
    });
    let consecutive = 0;
    breaker.on("failure", () => {
      consecutive++;
      if (consecutive >= config.INTEGRATION_BREAKER_THRESHOLD && breaker.closed) breaker.open();
    });
    breaker.on("success", () => {
      consecutive = 0;
    });
    const announce = (state: BreakerState) => {
      const remote = applyingRemote;
      log.warn({ integration, breaker: state, source: remote ? "another instance" : "this instance" }, `circuit breaker ${integration} ${state}`);
      if (!remote && state !== "half_open") sync?.publish(integration, state === "open" ? "open" : "closed", config.INTEGRATION_BREAKER_RESET_MS);
    };
    breaker.on("open", () => announce("open"));
    breaker.on("halfOpen", () => announce("half_open"));
    breaker.on("close", () => {
      consecutive = 0;
      announce("closed");
    });
    breakers[integration] = breaker;
  }

  if (redis) {
    sync = startBreakerSync(redis, log, (integration: Integration, state: SharedState) => {
      const breaker = breakers[integration];
      applyingRemote = true;
      try {
        if (state === "open" && !breaker.opened) breaker.open();
        else if (state === "closed" && !breaker.closed) breaker.close();
      } finally {
        applyingRemote = false;
      }
    });
  }

  function stateOf(integration: Integration): BreakerState {
    const b = breakers[integration];
    if (b.halfOpen) return "half_open";
    return b.opened ? "open" : "closed";
  }

  return {
    async call<T>(integration: Integration, fn: (signal: AbortSignal) => Promise<T>, opts: CallOptions = {}): Promise<T> {
      const deadlineMs = opts.deadlineMs ?? config.INTEGRATION_DEADLINE_MS;
      const deadlineAt = performance.now() + deadlineMs;
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new VendorTimeoutError(integration, deadlineMs)), deadlineMs);
      const signal = opts.signal ? AbortSignal.any([deadline.signal, opts.signal]) : deadline.signal;
      const breaker = breakers[integration];
      try {
        return (await pRetry(
          async () => {
            const remaining = deadlineAt - performance.now();
            if (remaining <= 0) throw new AbortError(new VendorTimeoutError(integration, deadlineMs));
            const attemptMs = Math.min(timeouts[integration], remaining);
            try {
              return await breaker.fire(fn as (s: AbortSignal) => Promise<unknown>, attemptMs, signal);
            } catch (err) {
              if ((err as { code?: string }).code === "EOPENBREAKER") throw new AbortError(new CircuitOpenError(integration));
              if (err instanceof CallCancelledError) throw new AbortError(err.reason instanceof Error ? err.reason : err);
              if (isRetryable(err)) throw err;
              throw new AbortError(err instanceof Error ? err : new Error(String(err)));
            }
          },
          {
            retries: opts.retries ?? config.INTEGRATION_MAX_RETRIES,
            minTimeout: 0, // the wait is ours (shouldRetry): backoff with jitter, Retry-After, deadline
            factor: 1,
            signal,
            shouldRetry: async ({ error, attemptNumber }) => {
              const retryAfter = error instanceof VendorError ? error.retryAfterMs : undefined;
              const delay = nextDelayMs(attemptNumber, retryAfter, backoffBaseMs, backoffMaxMs);
              // Never start an attempt that could not get a useful slice of the time left.
              if (performance.now() + delay + minAttemptMs > deadlineAt) return false;
              await sleep(delay, signal);
              return true;
            },
          },
        )) as T;
      } finally {
        // An abort during a backoff wait surfaces as the signal's reason: the deadline's timeout error,
        // or the caller's own reason.
        clearTimeout(timer);
      }
    },
    breakerState: stateOf,
    states() {
      return Object.fromEntries(INTEGRATIONS.map((i) => [i, stateOf(i)])) as Record<Integration, BreakerState>;
    },
    async ready() {
      await sync?.ready;
    },
    async close() {
      for (const b of Object.values(breakers)) b.shutdown();
      await sync?.close();
    },
  };
}

/**
 * One request: `fn` gets a signal that aborts at the attempt's timeout or when the call is cancelled,
 * and the attempt settles at that moment whether or not `fn` honours the signal.
 */
async function runAttempt(integration: Integration, fn: (signal: AbortSignal) => Promise<unknown>, attemptMs: number, outer: AbortSignal): Promise<unknown> {
  const ctl = new AbortController();
  const onOuter = () => ctl.abort(outer.reason);
  if (outer.aborted) onOuter();
  else outer.addEventListener("abort", onOuter, { once: true });
  const timer = setTimeout(() => ctl.abort(new VendorTimeoutError(integration, attemptMs)), attemptMs);
  const aborted = new Promise<never>((_, reject) => {
    if (ctl.signal.aborted) reject(ctl.signal.reason);
    else ctl.signal.addEventListener("abort", () => reject(ctl.signal.reason), { once: true });
  });
  try {
    return await Promise.race([fn(ctl.signal), aborted]);
  } catch (err) {
    if (!ctl.signal.aborted) throw err;
    const reason: unknown = ctl.signal.reason;
    if (reason instanceof VendorTimeoutError) throw reason;
    throw new CallCancelledError(reason);
  } finally {
    clearTimeout(timer);
    outer.removeEventListener("abort", onOuter);
  }
}
