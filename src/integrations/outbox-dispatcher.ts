// The outbox dispatcher: claims due rows (crash-safe, many dispatchers side by side), hands each to its
// operation's handler through the resilience wrapper with the row's idempotency key, and records every
// attempt. A retryable failure goes back to pending with exponential backoff (at least the vendor's
// Retry-After); a permanent one, or the last allowed attempt, ends as failed. A row whose dispatcher died
// mid-delivery is claimed again once its lock passes only when its operation is idempotent at the vendor
// (the same key makes a second request a no-op). Any other (SendGrid mail send has no idempotency key) may
// already have arrived: it is parked as unknown_outcome for an operator to check and re-send, never re-sent
// on its own. The claim that counts the attempt commits before the request, so a death mid-request is
// always seen.
//
// One outbox attempt is one request: the wrapper's own retries are off here (the outbox is the retry
// loop), so `attempts` counts exactly the requests a vendor received for the row.
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Config } from "../config/load.ts";
import type { Logger } from "../observability/logger.ts";
import { scrubText } from "../observability/redact.ts";
import { OutboxRepository, type ClaimedMessage } from "../repositories/outbox.ts";
import type { Resilience } from "./resilience/index.ts";
import { nextDelayMs, sleep } from "./resilience/backoff.ts";
import { CircuitOpenError, VendorError, type OperationRegistry } from "./types.ts";
import type { Integration } from "./status.ts";
import { DELIVERY_EFFECTS, DependencyFailed, DependencyPending, type DeliveryEffects } from "./effects/index.ts";

export type DispatcherConfig = Pick<Config, "OUTBOX_POLL_MS" | "OUTBOX_BATCH_SIZE" | "OUTBOX_LOCK_MS" | "INTEGRATION_DEADLINE_MS" | "INTEGRATION_BREAKER_RESET_MS">;

export interface DispatcherOptions {
  /** First rescheduling delay after a retryable failure (doubled per attempt, jittered). Default 2 s. */
  backoffBaseMs?: number;
  /** Longest rescheduling delay. Default 1 hour. */
  backoffMaxMs?: number;
  /** Deliveries in flight at once per dispatcher. Default 10. */
  concurrency?: number;
}

export interface DispatcherDeps {
  prisma: PrismaClient;
  registry: OperationRegistry;
  resilience: Resilience;
  logger: Logger;
  config: DispatcherConfig;
  options?: DispatcherOptions;
  /** Database hooks around deliveries (write-backs, ids of objects created by earlier rows). Default: all. */
  effects?: DeliveryEffects;
}

export interface DeliveryOutcome {
  id: string;
  outcome: "delivered" | "retryable_error" | "permanent_error";
}

const MAX_ERROR_CHARS = 1_000;

function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name === "Error" ? "" : `${err.name}: `}${err.message}` : String(err);
  return scrubText(text).slice(0, MAX_ERROR_CHARS);
}

export class OutboxDispatcher {
  private readonly repo: OutboxRepository;
  private readonly log: Logger;
  private readonly stopCtl = new AbortController();
  private loopDone: Promise<void> | null = null;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly concurrency: number;
  private readonly deadlineMs: number;

  constructor(private readonly deps: DispatcherDeps) {
    this.repo = new OutboxRepository(deps.prisma);
    this.log = deps.logger.child({ component: "outbox" });
    this.backoffBaseMs = deps.options?.backoffBaseMs ?? 2_000;
    this.backoffMaxMs = deps.options?.backoffMaxMs ?? 3_600_000;
    this.concurrency = deps.options?.concurrency ?? 10;
    // A delivery must end well before its lock passes, or another dispatcher would take it over.
    const lock = deps.config.OUTBOX_LOCK_MS;
    this.deadlineMs = Math.max(100, Math.min(deps.config.INTEGRATION_DEADLINE_MS, lock - Math.min(1_000, lock / 4)));
  }

  /** Integrations with a handler whose breaker is not open: only their rows are claimed. */
  private deliverable(): Integration[] {
    const all = new Set(Object.values(this.deps.registry).map((e) => e.integration));
    return [...all].filter((i) => this.deps.resilience.breakerState(i) !== "open");
  }

  /** Operations a vendor dedupes by idempotency key: only these are re-sent after a dispatcher died mid-request. */
  private recoverable(): string[] {
    return Object.entries(this.deps.registry).filter(([, e]) => e.idempotent === true).map(([name]) => name);
  }

  /** Claims one batch and delivers it; returns how many rows were claimed. */
  async runOnce(): Promise<DeliveryOutcome[]> {
    const recoverable = this.recoverable();
    const parked = await this.repo.parkUnknownOutcomes(recoverable);
    if (parked > 0) this.log.warn({ count: parked }, "outbox: deliveries interrupted mid-request to a vendor without idempotency key; marked unknown_outcome for an operator");
    await this.repo.failAbandonedAtLimit();
    const rows = await this.repo.claim(this.deliverable(), this.deps.config.OUTBOX_BATCH_SIZE, this.deps.config.OUTBOX_LOCK_MS, recoverable);
    const outcomes: DeliveryOutcome[] = [];
    let next = 0;
    const lane = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        outcomes.push({ id: row.id, outcome: await this.deliver(row) });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, rows.length) }, lane));
    return outcomes;
  }

  private async deliver(row: ClaimedMessage): Promise<DeliveryOutcome["outcome"]> {
    const entry = this.deps.registry[row.operation];
    if (row.recovered) this.log.warn({ outbox_id: row.id, operation: row.operation, attempt: row.attempts }, "outbox: taking over a delivery whose dispatcher stopped mid-flight");
    if (!entry) {
      await this.repo.recordFailure(row.id, row.attempts, 0, "permanent_error", `no handler for operation '${row.operation}'`, { status: "failed" });
      this.log.error({ outbox_id: row.id, operation: row.operation }, "outbox: unknown operation");
      return "permanent_error";
    }
    const started = performance.now();
    const effect = (this.deps.effects ?? DELIVERY_EFFECTS)[row.operation];
    try {
      const payload = effect?.prepare ? await effect.prepare(this.deps.prisma, row) : row.payload;
      const res = await this.deps.resilience.call(
        entry.integration,
        (signal) => entry.handler(payload, { idempotencyKey: row.idempotency_key, signal, policyApplied: true }),
        { retries: 0, deadlineMs: this.deadlineMs, signal: this.stopCtl.signal },
      );
      const writeBack = effect?.delivered;
      await this.repo.recordDelivered(row.id, Math.round(performance.now() - started), res.external_id ?? null, res.result ?? null, writeBack ? (tx) => writeBack(tx, row, res) : undefined);
      this.log.debug({ outbox_id: row.id, operation: row.operation, attempt: row.attempts }, "outbox: delivered");
      return "delivered";
    } catch (err) {
      const duration = Math.round(performance.now() - started);
      const error = describe(err);
      if (err instanceof DependencyPending) {
        // Nothing was sent: the row waits for the one it depends on, and the attempt does not count.
        await this.repo.recordFailure(row.id, row.attempts, duration, "retryable_error", error, { status: "pending", nextAttemptAt: new Date(Date.now() + err.retryInMs), refundAttempt: true });
        return "retryable_error";
      }
      if (err instanceof DependencyFailed) {
        await this.repo.recordFailure(row.id, row.attempts, duration, "permanent_error", error, { status: "failed" });
        this.log.warn({ outbox_id: row.id, operation: row.operation, error }, "outbox: the delivery this one depends on failed; marked failed");
        return "permanent_error";
      }
      if (err instanceof CircuitOpenError || this.stopCtl.signal.aborted) {
        // No request reached the vendor (breaker open), or we are stopping: the attempt does not count.
        const wait = err instanceof CircuitOpenError ? this.deps.config.INTEGRATION_BREAKER_RESET_MS : 0;
        await this.repo.recordFailure(row.id, row.attempts, duration, "retryable_error", this.stopCtl.signal.aborted ? "interrupted: the dispatcher is stopping" : error, {
          status: "pending",
          nextAttemptAt: new Date(Date.now() + wait),
          refundAttempt: true,
        });
        return "retryable_error";
      }
      const permanent = err instanceof VendorError && !err.retryable;
      if (permanent || row.attempts >= row.max_attempts) {
        await this.repo.recordFailure(row.id, row.attempts, duration, permanent ? "permanent_error" : "retryable_error", error, { status: "failed" });
        this.log.warn({ outbox_id: row.id, operation: row.operation, attempt: row.attempts, error }, permanent ? "outbox: delivery refused by the vendor; marked failed" : "outbox: attempts exhausted; marked failed");
        return permanent ? "permanent_error" : "retryable_error";
      }
      const retryAfter = err instanceof VendorError ? err.retryAfterMs : undefined;
      const delay = nextDelayMs(row.attempts, retryAfter, this.backoffBaseMs, this.backoffMaxMs);
      await this.repo.recordFailure(row.id, row.attempts, duration, "retryable_error", error, { status: "pending", nextAttemptAt: new Date(Date.now() + delay) });
      this.log.info({ outbox_id: row.id, operation: row.operation, attempt: row.attempts, retry_in_ms: delay, error }, "outbox: delivery failed; rescheduled");
      return "retryable_error";
    }
  }

  /** Starts polling: a full batch is followed at once by the next, otherwise it waits OUTBOX_POLL_MS. */
  start(): void {
    if (this.loopDone) return;
    this.log.info({ operations: Object.keys(this.deps.registry).length }, "outbox dispatcher started");
    this.loopDone = (async () => {
      while (!this.stopCtl.signal.aborted) {
        let claimed = 0;
        try {
          claimed = (await this.runOnce()).length;
        } catch (err) {
          if (this.stopCtl.signal.aborted) break;
          this.log.error({ err: { message: describe(err) } }, "outbox: polling failed; trying again");
        }
        if (claimed < this.deps.config.OUTBOX_BATCH_SIZE) await sleep(this.deps.config.OUTBOX_POLL_MS, this.stopCtl.signal).catch(() => {});
      }
    })();
  }

  /**
   * Stops claiming and cancels deliveries in flight (they go back to pending, their attempt not
   * counted). Resolves when the loop has finished, or after `waitMs`.
   */
  async stop(waitMs = 1_000): Promise<void> {
    this.stopCtl.abort(new Error("dispatcher stopping"));
    if (!this.loopDone) return;
    await Promise.race([this.loopDone, new Promise((r) => setTimeout(r, waitMs).unref())]);
    this.log.info("outbox dispatcher stopped");
  }
}
