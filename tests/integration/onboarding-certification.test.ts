// Training and certification on both back ends: modules defined by the user (no built-in catalogue), a
// delivered session with one attended row per attendee, a pass at exactly passing_score and a fail one below,
// the attempts limit, issue refused while modules are missing, the per-action field rules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, openTestDb, type TestDb } from "../helpers/databases.ts";
import { call, callError, pipelineFor } from "../helpers/pipeline.ts";
import { onboardingTools } from "../../src/tools/onboarding/index.ts";
import type { ToolPipeline } from "../../src/server/pipeline.ts";

const NOW = new Date("2026-06-15T12:00:00.000Z");

describe.each(BACKENDS)("training and certification on %s", (backend) => {
  let t: TestDb;
  let p: ToolPipeline;
  const id = `cs_1700000000_cert_${backend}`;
  const cert = (args: Record<string, unknown>) => call(p, "manage_certification_program", args);
  const certError = (args: Record<string, unknown>) => callError(p, "manage_certification_program", args);

  beforeAll(async () => {
    t = await openTestDb(backend);
    p = pipelineFor(t, onboardingTools, NOW);
    await t.db.prisma.account.create({ data: { id, client_name: "Cert", company_name: "Cert Co", company_key: `cert_${backend}`, primary_contact_email: "ana@cert.test" } });
    await t.db.prisma.contact.createMany({
      data: ["ana@cert.test", "bo@cert.test", "cy@cert.test", "di@cert.test"].map((email) => ({ account_id: id, email })),
    });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("lists no modules until the user defines them, then defines them with their rules", async () => {
    const empty = await cert({ action: "list" });
    expect(empty.total_modules).toBe(0);
    expect(empty.missing).toContain("define_module");
    const a = await cert({ action: "define_module", code: "ADMIN-101", name: "Admin basics", certification_level: "foundation", passing_score: 80, max_attempts: 2, duration_minutes: 90 });
    expect(a.module).toMatchObject({ code: "ADMIN-101", level: "foundation", passing_score: 80, max_attempts: 2, duration_minutes: 90 });
    const b = await cert({ action: "define_module", code: "REPORTS-101", name: "Reporting", certification_level: "foundation" });
    expect(b.module).toMatchObject({ passing_score: 75, max_attempts: 3, duration_minutes: 60 }); // the table's defaults
    const dup = await certError({ action: "define_module", code: "ADMIN-101", name: "Again", certification_level: "advanced" });
    expect(dup.code).toBe("conflict");
    const missing = await certError({ action: "define_module", code: "X-1", score: 50 });
    expect(missing.message).toBe("action 'define_module' needs name, certification_level (missing); action 'define_module' does not use score");
    expect(await t.db.prisma.trainingModule.count()).toBe(2);
  });

  it("judges training complete on whole numbers: 752 of 1,003 contacts (74.98 %, shown as 75) is not complete, 753 is", async () => {
    const slug = `cert_round_${backend}`;
    const acct = `cs_1700000000_${slug}`;
    const prisma = t.db.prisma;
    await prisma.account.create({ data: { id: acct, client_name: slug, company_name: slug, company_key: slug } });
    await prisma.contact.createMany({ data: Array.from({ length: 1_003 }, (_, i) => ({ account_id: acct, email: `u${i}@round.test` })) });
    const mod = await prisma.trainingModule.findUniqueOrThrow({ where: { code: "ADMIN-101" } });
    await prisma.trainingCompletion.createMany({ data: Array.from({ length: 751 }, (_, i) => ({ account_id: acct, module_id: mod.id, user_email: `u${i}@round.test`, status: "attended" })) });
    const d = await call(p, "deliver_training_session", { client_id: acct, training_module_id: "ADMIN-101", session_format: "live", attendee_emails: ["u751@round.test"], session_date: "2026-06-10T15:00:00Z" });
    expect(d.account_training).toMatchObject({ contacts: 1_003, contacts_trained: 752, percent_trained: 75, training_complete: false });
    const e = await call(p, "deliver_training_session", { client_id: acct, training_module_id: "ADMIN-101", session_format: "live", attendee_emails: ["u752@round.test"], session_date: "2026-06-11T15:00:00Z" });
    expect(e.account_training).toMatchObject({ contacts_trained: 753, training_complete: true });
  });

  it("records a delivered session with one attended completion per attendee, by module code", async () => {
    const d = await call(p, "deliver_training_session", { client_id: id, training_module_id: "ADMIN-101", session_format: "virtual", attendee_emails: ["Ana@Cert.test", "bo@cert.test", "zed@partner.test"], session_date: "2026-06-10T15:00:00Z" });
    expect(d.session).toMatchObject({ session_format: "virtual", session_date: "2026-06-10T15:00:00.000Z", duration_minutes: 90 });
    expect(d.attendees.map((a: { user_email: string; status: string }) => [a.user_email, a.status])).toEqual([["ana@cert.test", "attended"], ["bo@cert.test", "attended"], ["zed@partner.test", "attended"]]);
    // 2 of the 4 contacts attended: 50 % against TRAINING_COMPLETE_PERCENT 75.
    expect(d.account_training).toMatchObject({ contacts: 4, contacts_trained: 2, percent_trained: 50, training_complete_percent: 75, training_complete: false });
    const rows = await t.db.prisma.trainingCompletion.findMany({ where: { session_id: d.session.session_id } });
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.status === "attended" && r.account_id === id)).toBe(true);

    const again = await callError(p, "deliver_training_session", { client_id: id, training_module_id: d.module.module_id, session_format: "virtual", attendee_emails: ["cy@cert.test"], session_date: "2026-06-10T15:00:00Z" });
    expect(again.code).toBe("conflict");
    const future = await callError(p, "deliver_training_session", { client_id: id, training_module_id: "ADMIN-101", session_format: "live", attendee_emails: ["cy@cert.test", "cy@cert.test"], session_date: "2026-06-16" });
    expect(future.message).toBe("session_date: 2026-06-16 is in the future (now is 2026-06-15T12:00:00.000Z); record a session once it has been delivered; attendee_emails: lists cy@cert.test more than once");
    const unknown = await callError(p, "deliver_training_session", { client_id: id, training_module_id: "NOPE-1", session_format: "live", attendee_emails: ["cy@cert.test"], session_date: "2026-06-01" });
    expect(unknown).toMatchObject({ code: "not_found", message: "training module NOPE-1 was not found" });
    expect(await t.db.prisma.trainingSession.count({ where: { account_id: id } })).toBe(1);
  });

  it("passes at exactly passing_score, fails one below, refuses beyond max_attempts, and issues only when every module is passed", async () => {
    const en = await cert({ action: "enroll", client_id: id, user_email: "ana@cert.test", certification_level: "foundation" });
    expect(en.certification.modules.map((m: { code: string }) => m.code)).toEqual(["ADMIN-101", "REPORTS-101"]); // every foundation module
    expect(en.certification).toMatchObject({ status: "enrolled", modules_passed: 0, missing_modules: ["ADMIN-101", "REPORTS-101"] });

    // ADMIN-101 needs 80: 79 fails, 80 passes.
    const fail = await cert({ action: "record_result", client_id: id, user_email: "ana@cert.test", module_id: "ADMIN-101", score: 79 });
    expect(fail.result).toMatchObject({ score: 79, passing_score: 80, passed: false, attempt: 1, attempts_left: 1 });
    const issueEarly = await certError({ action: "issue", client_id: id, user_email: "ana@cert.test", certification_level: "foundation" });
    expect(issueEarly.code).toBe("conflict");
    expect(issueEarly.message).toBe("cannot issue the foundation certification to ana@cert.test: modules not passed: ADMIN-101 (best 79 of 80 needed, 1 attempt left), REPORTS-101 (no result, 3 attempts left)");
    const pass = await cert({ action: "record_result", client_id: id, user_email: "ana@cert.test", module_id: "ADMIN-101", score: 80 });
    expect(pass.result).toMatchObject({ score: 80, passed: true, attempt: 2, attempts_left: 0 });
    expect(pass.certifications[0]).toMatchObject({ modules_passed: 1, percent_passed: 50, training_complete: false, missing_modules: ["REPORTS-101"] });
    const afterPass = await certError({ action: "record_result", client_id: id, user_email: "ana@cert.test", module_id: "ADMIN-101", score: 95 });
    expect(afterPass.code).toBe("conflict");

    const issueMissing = await certError({ action: "issue", client_id: id, user_email: "ana@cert.test", certification_level: "foundation" });
    expect(issueMissing.message).toBe("cannot issue the foundation certification to ana@cert.test: modules not passed: REPORTS-101 (no result, 3 attempts left)");

    // REPORTS-101 (pass 75): 75 passes on the first attempt; the certification is then ready and issues.
    await cert({ action: "record_result", client_id: id, user_email: "ana@cert.test", module_id: "REPORTS-101", score: 75, result_date: "2026-06-14" });
    const status = await cert({ action: "status", client_id: id, user_email: "ana@cert.test" });
    expect(status.certifications[0]).toMatchObject({ status: "passed", modules_passed: 2, percent_passed: 100, training_complete: true, attempts: 3, best_score: 78 });
    expect(status.certifications[0].modules.map((m: { code: string; best_score: number; attempts_used: number; attempts_left: number }) => [m.code, m.best_score, m.attempts_used, m.attempts_left])).toEqual([
      ["ADMIN-101", 80, 2, 0],
      ["REPORTS-101", 75, 1, 0],
    ]);
    const issued = await cert({ action: "issue", client_id: id, user_email: "ana@cert.test", certification_level: "foundation" });
    expect(issued.certification).toMatchObject({ status: "issued", issued_at: NOW.toISOString() });
    const stored = await t.db.prisma.certification.findFirstOrThrow({ where: { account_id: id, user_email: "ana@cert.test" } });
    expect(stored).toMatchObject({ status: "issued", attempts: 3, best_score: 78 });

    // Bo fails ADMIN-101 twice (max_attempts 2): the third result is refused and nothing is written.
    await cert({ action: "enroll", client_id: id, user_email: "bo@cert.test", certification_level: "foundation", module_ids: ["ADMIN-101"] });
    await cert({ action: "record_result", client_id: id, user_email: "bo@cert.test", module_id: "ADMIN-101", score: 10 });
    const last = await cert({ action: "record_result", client_id: id, user_email: "bo@cert.test", module_id: "ADMIN-101", score: 79 });
    expect(last.certifications[0]).toMatchObject({ status: "failed" });
    const refused = await certError({ action: "record_result", client_id: id, user_email: "bo@cert.test", module_id: "ADMIN-101", score: 100 });
    expect(refused).toMatchObject({ code: "conflict", message: "bo@cert.test has used all 2 attempts of module ADMIN-101 (max_attempts 2); no further result can be recorded" });
    expect(await t.db.prisma.trainingCompletion.count({ where: { account_id: id, user_email: "bo@cert.test", status: { in: ["passed", "failed"] } } })).toBe(2);

    const bad = await certError({ action: "record_result", client_id: id, user_email: "bo@cert.test", module_id: "ADMIN-101" });
    expect(bad.message).toBe("action 'record_result' needs score (missing)");
    const range = await certError({ action: "record_result", client_id: id, user_email: "bo@cert.test", module_id: "ADMIN-101", score: 101 });
    expect(range.message).toBe("invalid arguments: score: must be 0–100");
  });
});
