// The benches' one reader of a flag's value (bench/args.ts).
import { describe, expect, it } from "vitest";
import { option } from "../../bench/args.ts";

describe("bench option()", () => {
  const argv = ["node", "dist/bench/scoring.js", "--runs", "3", "--skip-postgres", "--sizes"];
  it("gives the value after the flag, undefined for an absent flag or one with nothing after it", () => {
    expect(option("--runs", argv)).toBe("3");
    expect(option("--accounts", argv)).toBeUndefined();
    expect(option("--sizes", argv)).toBeUndefined();
  });
});
