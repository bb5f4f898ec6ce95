import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { companyKey, pickClientId, slugify } from "../../src/services/client-ids.ts";
import { CLIENT_ID_PATTERN } from "../../src/security/validation.ts";

const ID = /^cs_\d+_[a-z0-9_]+$/;
const NOW = new Date(1_700_000_000_999); // 1700000000 whole seconds

describe("slugify", () => {
  it("lowercases and joins words with underscores", () => {
    expect(slugify("Acme Corp")).toBe("acme_corp");
    expect(slugify("  ACME -- Corp, Inc.  ")).toBe("acme_corp_inc");
    expect(slugify("Web3 Labs 2024")).toBe("web3_labs_2024");
  });

  it("folds accents", () => {
    expect(slugify("Café Zürich")).toBe("cafe_zurich");
    expect(slugify("Crème Brûlée SARL")).toBe("creme_brulee_sarl");
  });

  it("folds 'Ünïcødé Café GmbH & Co.' to unicode_cafe_gmbh_co", () => {
    // ø (U+00F8) has no canonical decomposition, so NFKD + stripping combining marks does not turn it into o.
    expect(slugify("Ünïcødé Café GmbH & Co.")).toBe("unicode_cafe_gmbh_co");
  });

  it("falls back to 'client' when nothing is left", () => {
    expect(slugify("!!!")).toBe("client");
    expect(slugify("")).toBe("client");
    expect(slugify("東京")).toBe("client");
    expect(slugify("___")).toBe("client");
  });

  it("truncates a 200-character name to at most 40 characters", () => {
    expect(slugify("a".repeat(200))).toBe("a".repeat(40));
    const long = slugify("Very Long Company Name ".repeat(9)); // 207 characters
    expect(long.length).toBeLessThanOrEqual(40);
    // "very_long_company_name_very_long_company" is 40 characters
    expect(long).toBe("very_long_company_name_very_long_company");
  });

  it("does not leave a trailing underscore where the cut falls on a separator", () => {
    // 39 a's then "_b…": the first 40 characters end with "_", which must be dropped
    const s = slugify(`${"a".repeat(39)} b${"c".repeat(160)}`);
    expect(s).toBe("a".repeat(39));
    expect(s.endsWith("_")).toBe(false);
  });
});

describe("companyKey", () => {
  it("folds case and spacing", () => {
    expect(companyKey("  Acme   Corp  ")).toBe("acme corp");
    expect(companyKey("ACME\tCorp")).toBe("acme corp");
    expect(companyKey("acme\n corp")).toBe("acme corp");
    expect(companyKey("Acme Corp")).toBe(companyKey("aCmE    cOrP"));
  });

  it("folds compatibility characters (NFKC) but keeps punctuation and accents", () => {
    expect(companyKey("Ａｃｍｅ")).toBe("acme"); // full-width letters
    expect(companyKey("Acme, Inc.")).toBe("acme, inc.");
    expect(companyKey("Café")).not.toBe(companyKey("Cafe"));
  });
});

describe("pickClientId", () => {
  const base = "cs_1700000000_acme_corp";

  it("uses the unix seconds and the slug", () => {
    expect(pickClientId("Acme Corp", NOW, [])).toBe(base);
  });

  it("adds _2, _3 … when the id is taken", () => {
    expect(pickClientId("Acme Corp", NOW, [base])).toBe(`${base}_2`);
    expect(pickClientId("Acme Corp", NOW, [base, `${base}_2`])).toBe(`${base}_3`);
    expect(pickClientId("Acme Corp", NOW, [`${base}_2`, base, `${base}_3`, `${base}_5`])).toBe(`${base}_4`);
  });

  it("ignores ids that do not collide", () => {
    expect(pickClientId("Acme Corp", NOW, [`${base}_2`, "cs_1700000001_acme_corp"])).toBe(base);
  });

  it("falls back to the 'client' slug", () => {
    expect(pickClientId("???", new Date(0), [])).toBe("cs_0_client");
  });

  it("always matches the client_id pattern and is never taken (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }), // 1970 … 2100
        fc.array(fc.nat({ max: 5 }), { maxLength: 6 }),
        (name, ms, suffixes) => {
          const now = new Date(ms);
          const b = `cs_${Math.floor(ms / 1000)}_${slugify(name)}`;
          const taken = suffixes.map((n) => (n < 2 ? b : `${b}_${n}`));
          const id = pickClientId(name, now, taken);
          expect(id).toMatch(ID);
          expect(id).toMatch(CLIENT_ID_PATTERN);
          expect(id.length).toBeLessThanOrEqual(120); // clientId() accepts at most 120 characters
          expect(taken).not.toContain(id);
          expect(id.startsWith(b)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("slugify output is always a bounded, trimmed [a-z0-9_] slug and idempotent (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (name) => {
        const s = slugify(name);
        expect(s).toMatch(/^[a-z0-9]+(_[a-z0-9]+)*$/);
        expect(s.length).toBeLessThanOrEqual(40);
        expect(slugify(s)).toBe(s);
      }),
      { numRuns: 500 },
    );
  });
});
