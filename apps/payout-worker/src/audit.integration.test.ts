import type { WorkerApp } from "@callastar/runtime";
import { startStripeStandin, type StripeStandin } from "@callastar/standins/stripe";
import { testEnv, useWorkerTests, waitFor } from "@callastar/testing";
import { startPayoutWorker } from "./app";
import { createAutomaticPayout } from "./balance";
import { loadPayoutWorkerEnv } from "./env";
import { seedCreator, seedEarning, seedPayout } from "./test-seed";
import { createProcessLog } from "@callastar/runtime";

// Every payout fact commits with its audit row, and every failed attempt leaves exactly one row.
const h = useWorkerTests<WorkerApp>("payout-audit", { truncate: ["Log", "Payout", "Payment", "Booking", "CallOffer", "Creator", "User"] });
let stripe: StripeStandin;

beforeAll(async () => {
  stripe = await startStripeStandin();
});
afterAll(() => stripe.close());
beforeEach(() => stripe.reset());
afterEach(() => h.t.sql`DROP TRIGGER IF EXISTS refuse_log_rows ON "Log"`);

async function start(overrides: Record<string, string> = {}): Promise<WorkerApp> {
  const env = loadPayoutWorkerEnv({
    NODE_ENV: "test",
    DATABASE_URL: h.t.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: h.prefix,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    STRIPE_TIMEOUT_MS: "5000",
    STRIPE_MAX_NETWORK_RETRIES: "0",
    ...overrides,
  });
  return h.track(await startPayoutWorker(env, { exit: () => {}, log: createProcessLog({ app: "test", level: "silent" }) }));
}

type Row = { id: string; type: string; status: string; context: Record<string, unknown> };
const rows = (type: string) => h.t.sql<Row[]>`SELECT id, type, status, context FROM "Log" WHERE type = ${type}::"LogType" ORDER BY "createdAt", id`;
// The handler's own rows: the runtime's row for a job failed for good (until it honours markAudited) has no `attempt`.
const attemptRows = async (type: string) => (await rows(type)).filter((r) => "attempt" in r.context);
const payoutRow = async (id: string) =>
  (await h.t.sql<Array<{ status: string; stripeTransferId: string | null; failureReason: string | null; balanceRetries: number; putOffMinutes: number | null }>>`
    SELECT status, "stripeTransferId", "failureReason", "balanceRetries",
           extract(epoch FROM "nextAttemptAt" - CURRENT_TIMESTAMP::timestamp)::float8 / 60 AS "putOffMinutes"
    FROM "Payout" WHERE id = ${id}`)[0]!;
const jobState = (app: WorkerApp, payoutId: string) => app.ctx.queue("payouts").getJobState(`payout-${payoutId}`);

/** Makes PostgreSQL refuse every new Log row of `type`, as a crash between a fact and its row would lose it. */
async function refuseLogRows(type: string): Promise<void> {
  await h.t.sql.unsafe(`
    CREATE OR REPLACE FUNCTION refuse_log_rows() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'Log rows refused by the test'; END $$;
    CREATE TRIGGER refuse_log_rows BEFORE INSERT ON "Log" FOR EACH ROW WHEN (NEW.type = '${type}') EXECUTE FUNCTION refuse_log_rows();`);
}

describe("facts and their rows", () => {
  it("never commits PAID without its PAYOUT_SUCCESS row: the row refused, the payout stays PROCESSING and is paid once later", async () => {
    const c = await seedCreator(h.t);
    const id = await seedPayout(h.t, c, { amount: 4100 });
    await refuseLogRows("PAYOUT_SUCCESS");
    const w = await start();
    await w.ctx.queue("payouts").add("pay-payout", { payoutId: id, trigger: "manual" }, { jobId: `payout-${id}`, attempts: 8, backoff: { type: "fixed", delay: 500 } });
    // The transfer is made, recording it fails: the job retries (same key, transfer found first).
    await waitFor("a failed attempt at recording", async () => (await rows("PAYOUT_ERROR")).some((r) => r.context.stage === "record"));
    expect(await payoutRow(id)).toMatchObject({ status: "PROCESSING", stripeTransferId: null });
    expect(stripe.transfers).toHaveLength(1);

    await h.t.sql`DROP TRIGGER refuse_log_rows ON "Log"`;
    await waitFor("payout PAID", async () => (await payoutRow(id)).status === "PAID", { timeoutMs: 30_000 });
    const [success, ...more] = await rows("PAYOUT_SUCCESS");
    expect(more).toEqual([]);
    expect(success).toMatchObject({ id: `payout-paid:${id}`, status: "SUCCESS", context: { payoutId: id, stripeTransferId: stripe.transfers[0]!.id, recovered: true } });
    expect(stripe.transfers).toHaveLength(1);
  }, 40_000);

  it("writes the missing row of a payout PAID before rows committed with facts, exactly once over several retries", async () => {
    const c = await seedCreator(h.t);
    const legacy = await seedPayout(h.t, c, { amount: 900, status: "PAID", stripeTransferId: "tr_legacy" });
    const logged = await seedPayout(h.t, c, { amount: 901, status: "PAID", stripeTransferId: "tr_logged" });
    await h.t.sql`INSERT INTO "Log" (id, type, status, message, context) VALUES (${`payout-paid:${logged}`}, 'PAYOUT_SUCCESS', 'SUCCESS', 'paid', ${JSON.stringify({ payoutId: logged })}::jsonb)`;
    const w = await start();
    for (let round = 0; round < 3; round++) {
      await w.ctx.queue("payouts").remove(`payout-${legacy}`);
      await w.ctx.queue("payouts").remove(`payout-${logged}`);
      await w.ctx.producer.enqueuePayout({ payoutId: legacy });
      await w.ctx.producer.enqueuePayout({ payoutId: logged });
      await waitFor("both jobs done", async () => (await jobState(w, legacy)) === "completed" && (await jobState(w, logged)) === "completed");
    }
    const successes = await rows("PAYOUT_SUCCESS");
    expect(successes.map((r) => r.id).sort()).toEqual([`payout-paid:${legacy}`, `payout-paid:${logged}`].sort());
    expect(successes.find((r) => r.id === `payout-paid:${legacy}`)?.context).toMatchObject({
      payoutId: legacy,
      creatorId: c,
      amount: 900,
      stripeTransferId: "tr_legacy",
      auditRecovered: true,
    });
    // The row that was there is left as it was.
    expect(successes.find((r) => r.id === `payout-paid:${logged}`)?.context).toEqual({ payoutId: logged });
    expect(stripe.requests).toEqual([]);
  });

  it("commits FAILED with its final row, and writes the row of a legacy FAILED payout once", async () => {
    const c = await seedCreator(h.t);
    const refused = await seedPayout(h.t, c, { amount: 4200 });
    const legacy = await seedPayout(h.t, c, { amount: 4300, status: "FAILED" });
    await h.t.sql`UPDATE "Payout" SET "failureReason" = 'card_declined long ago' WHERE id = ${legacy}`;
    stripe.setFaults({ cardErrorNext: 1 });
    const w = await start();
    await w.ctx.producer.enqueuePayout({ payoutId: refused });
    await w.ctx.producer.enqueuePayout({ payoutId: legacy });
    await waitFor("both jobs done", async () => (await jobState(w, refused)) === "failed" && (await jobState(w, legacy)) === "completed");
    await w.ctx.queue("payouts").remove(`payout-${legacy}`);
    await w.ctx.producer.enqueuePayout({ payoutId: legacy });
    await waitFor("the retry done", async () => (await jobState(w, legacy)) === "completed");

    expect(await payoutRow(refused)).toMatchObject({ status: "FAILED", failureReason: expect.stringContaining("card_declined") });
    const errors = await attemptRows("PAYOUT_ERROR");
    expect(errors.map((r) => r.id).sort()).toEqual([`payout-failed:${refused}`, `payout-failed:${legacy}`].sort());
    expect(errors.find((r) => r.id === `payout-failed:${refused}`)?.context).toMatchObject({
      payoutId: refused,
      jobId: `payout-${refused}`,
      jobName: "pay-payout",
      attempt: 1,
      attempts: 8,
      final: true,
      payoutStatus: "FAILED",
      stage: "transfer",
    });
    expect(errors.find((r) => r.id === `payout-failed:${legacy}`)?.context).toMatchObject({ final: true, failureReason: "card_declined long ago", auditRecovered: true });
  });

  it("creates an automatic payout with its payout-created row, or neither", async () => {
    const c = await seedCreator(h.t, { automaticPayoutsEnabled: true });
    await seedEarning(h.t, c, { creatorAmount: 8000 });
    await refuseLogRows("NOTIFICATION_SENT");
    await expect(createAutomaticPayout(h.t, c)).rejects.toMatchObject({ cause: { message: "Log rows refused by the test" } });
    expect(await h.t.sql`SELECT 1 FROM "Payout"`).toHaveLength(0);

    await h.t.sql`DROP TRIGGER refuse_log_rows ON "Log"`;
    const decision = await createAutomaticPayout(h.t, c, { cronType: "process-automatic-payouts" });
    expect(decision).toMatchObject({ kind: "created", amount: 8000 });
    const payoutId = decision.kind === "created" ? decision.payoutId : "";
    const [created, ...more] = await rows("NOTIFICATION_SENT");
    expect(more).toEqual([]);
    expect(created).toMatchObject({
      id: `payout-created:${payoutId}`,
      status: "SUCCESS",
      context: { event: "payout_created", payoutId, creatorId: c, amount: 8000, currency: "eur", isAutomatic: true, cronType: "process-automatic-payouts" },
    });
    // Not a payout success: nothing is paid yet.
    expect(await rows("PAYOUT_SUCCESS")).toEqual([]);
  });
});

describe("error rows", () => {
  it("writes one row per failed attempt, final only on the last, and leaves the payout payable for later", async () => {
    const c = await seedCreator(h.t);
    const id = await seedPayout(h.t, c, { amount: 5100 });
    stripe.setFaults({ failNext: 100 });
    const w = await start({ PAYOUT_RETRY_AFTER_FAILURE_MS: "3600000" });
    await w.ctx.queue("payouts").add("pay-payout", { payoutId: id, trigger: "manual" }, { jobId: `payout-${id}`, attempts: 3, backoff: { type: "fixed", delay: 10 } });
    await waitFor("job failed for good", async () => (await jobState(w, id)) === "failed");
    const attempts = await attemptRows("PAYOUT_ERROR");
    expect(attempts.map((r) => [r.context.attempt, r.context.attempts, r.context.final, r.context.jobId, r.context.jobName])).toEqual([
      [1, 3, false, `payout-${id}`, "pay-payout"],
      [2, 3, false, `payout-${id}`, "pay-payout"],
      [3, 3, true, `payout-${id}`, "pay-payout"],
    ]);
    for (const r of attempts) expect(r.context).not.toHaveProperty("willRetry");
    const p = await payoutRow(id);
    expect(p.status).toBe("PROCESSING");
    // Put off: no sweep or recovery hands it to a new job for PAYOUT_RETRY_AFTER_FAILURE_MS.
    expect(p.putOffMinutes).toBeGreaterThan(30);
    expect(stripe.transfers).toHaveLength(0);
  });

  it("writes no error row for a 429: the queue waits and the payout is paid", async () => {
    const c = await seedCreator(h.t);
    const id = await seedPayout(h.t, c, { amount: 5200 });
    stripe.setFaults({ rateLimitNext: 1 });
    const w = await start();
    await w.ctx.producer.enqueuePayout({ payoutId: id });
    await waitFor("payout PAID", async () => (await payoutRow(id)).status === "PAID");
    expect(stripe.requests.filter((r) => r.status === 429)).toHaveLength(1);
    expect(await rows("PAYOUT_ERROR")).toEqual([]);
    expect(await rows("PAYOUT_SUCCESS")).toHaveLength(1);
  });
});

describe("Stripe balance_insufficient", () => {
  const balanceEnv = {
    PAYOUT_BALANCE_RETRY_DELAY_MS: "200",
    PAYOUT_BALANCE_RETRY_MAX_DELAY_MS: "400",
    PAYOUT_RECOVERY_INTERVAL_MS: "100",
    PAYOUT_RECOVERY_GRACE_MS: "100",
  };

  it("keeps the payout payable, retries it later under a new key while the balance is short, and pays it once it returns", async () => {
    const c = await seedCreator(h.t);
    const id = await seedPayout(h.t, c, { amount: 50_000 });
    stripe.setBalance(1000, "eur");
    const w = await start(balanceEnv);
    await w.ctx.producer.enqueuePayout({ payoutId: id });
    await waitFor("two shortfalls put off", async () => (await payoutRow(id)).balanceRetries >= 2);
    expect((await payoutRow(id)).status).toBe("PROCESSING");
    stripe.setBalance(1_000_000, "eur");
    await waitFor("payout PAID", async () => (await payoutRow(id)).status === "PAID", { timeoutMs: 30_000 });

    expect(stripe.transfers).toHaveLength(1);
    const posts = stripe.requests.filter((r) => r.method === "POST");
    const shortfalls = posts.length - 1;
    // Each shortfall moved to the next key generation (a refused key is replayed by Stripe for 24 h).
    expect(posts.map((r) => [r.idempotencyKey, r.status])).toEqual([
      [`payout:${id}`, 400],
      ...Array.from({ length: shortfalls - 1 }, (_v, i) => [`payout:${id}:${i + 1}`, 400]),
      [`payout:${id}:${shortfalls}`, 200],
    ]);
    const errors = await rows("PAYOUT_ERROR");
    expect(errors).toHaveLength(shortfalls);
    errors.forEach((r, i) => expect(r.context).toMatchObject({ final: false, deferred: true, reason: "balance_insufficient", balanceRetries: i + 1 }));
    const [success, ...more] = await rows("PAYOUT_SUCCESS");
    expect(more).toEqual([]);
    expect(success).toMatchObject({ id: `payout-paid:${id}`, context: { trigger: "recovery", stripeTransferId: stripe.transfers[0]!.id } });
    expect(await payoutRow(id)).toMatchObject({ status: "PAID", balanceRetries: shortfalls, putOffMinutes: null });
  }, 40_000);

  it("fails the payout, visibly, when the shortfall outlasts its retries", async () => {
    const c = await seedCreator(h.t);
    const id = await seedPayout(h.t, c, { amount: 60_000 });
    stripe.setBalance(0, "eur");
    const w = await start({ ...balanceEnv, PAYOUT_BALANCE_RETRY_LIMIT: "1" });
    await w.ctx.producer.enqueuePayout({ payoutId: id });
    await waitFor("payout FAILED", async () => (await payoutRow(id)).status === "FAILED", { timeoutMs: 30_000 });
    expect(await payoutRow(id)).toMatchObject({ balanceRetries: 1, failureReason: expect.stringContaining("Stripe balance still insufficient after 1 delayed retries") });
    const errors = await attemptRows("PAYOUT_ERROR");
    expect(errors.map((r) => [r.id === `payout-failed:${id}`, r.context.final, r.context.reason ?? null])).toEqual([
      [false, false, "balance_insufficient"],
      [true, true, null],
    ]);
    expect(errors[1]!.context).toMatchObject({ payoutStatus: "FAILED", balanceRetries: 1, balanceRetryLimit: 1 });
    expect(stripe.transfers).toHaveLength(0);
  }, 40_000);
});
