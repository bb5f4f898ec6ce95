// What every contract test does around its fake: after each test, no request or answer may have broken
// the published description; after all, the fake is stopped and nothing left loopback.
import { afterAll, afterEach, expect } from "vitest";
import { VendorError } from "../../../src/integrations/types.ts";
import { describeViolations, type loopbackGuard } from "./contract-server.ts";

type Fake = Parameters<typeof describeViolations>[0] & { violations: unknown[]; answerViolations: unknown[]; reset(): void; stop(): Promise<void> };

export function checkContractAround(getFake: () => Fake, guard: ReturnType<typeof loopbackGuard>): void {
  afterEach(() => {
    const fake = getFake();
    const violations = [...fake.violations];
    const answerViolations = [...fake.answerViolations];
    const report = describeViolations(fake);
    fake.reset();
    expect(violations, report).toEqual([]);
    expect(answerViolations, report).toEqual([]);
  });
  afterAll(async () => {
    await getFake().stop();
    guard.dispose();
    expect(guard.offenders).toEqual([]);
  });
}

/** Awaits a promise that must reject with a VendorError, and returns it. */
export async function vendorError(p: Promise<unknown>): Promise<VendorError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(VendorError);
  return err as VendorError;
}
