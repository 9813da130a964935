import { createStripePayouts } from "@callastar/integrations/stripe";
import type { WorkerApp } from "@callastar/runtime";
import { startStripeStandin, type StripeStandin } from "@callastar/standins/stripe";
import { testEnv, useWorkerTests, waitFor } from "@callastar/testing";
import { startPayoutWorker } from "./app";
import { createAutomaticPayout } from "./balance";
import { loadPayoutWorkerEnv } from "./env";
import { seedCreator, seedEarning, seedPayout } from "./test-seed";
import { createProcessLog } from "@callastar/runtime";

const h = useWorkerTests<WorkerApp>("payouts", { truncate: ["Log", "Payout", "Payment", "Booking", "CallOffer", "Creator", "User"] });
let stripe: StripeStandin;

beforeAll(async () => {
  stripe = await startStripeStandin();
});
afterAll(() => stripe.close());
beforeEach(() => stripe.reset());

async function start(overrides: Record<string, string> = {}): Promise<WorkerApp> {
  const env = loadPayoutWorkerEnv({
    NODE_ENV: "test",
    DATABASE_URL: h.t.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: h.prefix,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    STRIPE_TIMEOUT_MS: "5000",
    ...overrides,
  });
  return h.track(await startPayoutWorker(env, { exit: () => {}, log: createProcessLog({ app: "test", level: "silent" }) }));
}

type Row = { context: Record<string, unknown>; error: string | null };
const logs = (type: string) => h.t.sql<Row[]>`SELECT context, error FROM "Log" WHERE type = ${type}::"LogType" ORDER BY "createdAt"`;
async function cronRuns(cronType: string, count = 1) {
  const rows = await waitFor(`${count} CRON_RUN of ${cronType}`, async () => {
    const r = await h.t.sql<Row[]>`SELECT context, error FROM "Log" WHERE type = 'CRON_RUN' AND context->>'cronType' = ${cronType}`;
    return r.length >= count ? r : null;
  });
  return rows.map((r) => r.context);
}
const payoutRow = async (id: string) =>
  (await h.t.sql<Array<{ status: string; stripeTransferId: string | null; failureReason: string | null; attempts: number; paidAt: Date | null }>>`
    SELECT status, "stripeTransferId", "failureReason", attempts, "paidAt" FROM "Payout" WHERE id = ${id}`)[0]!;
const transfersOf = (payoutId: string) => stripe.transfers.filter((tr) => tr.transfer_group === payoutId);

describe("process-payouts", () => {
  it("pays requested and stale payouts once, skips creators without a usable account, and logs the run", async () => {
    const c1 = await seedCreator(h.t);
    const c2 = await seedCreator(h.t);
    const noAccount = await seedCreator(h.t, { stripeAccountId: null, isStripeOnboarded: false });
    const notOnboarded = await seedCreator(h.t, { isStripeOnboarded: false });
    const p1 = await seedPayout(h.t, c1, { amount: 12_345 });
    const p2 = await seedPayout(h.t, c1, { amount: 1 });
    const p3 = await seedPayout(h.t, c2, { amount: 99_999 });
    const stale = await seedPayout(h.t, c2, { amount: 500, status: "PROCESSING", processingAt: new Date(Date.now() - 20 * 60_000) });
    const fresh = await seedPayout(h.t, c2, { amount: 700, status: "PROCESSING" });
    const paid = await seedPayout(h.t, c1, { amount: 800, status: "PAID", stripeTransferId: "tr_earlier" });
    const s1 = await seedPayout(h.t, noAccount, { amount: 300 });
    const s2 = await seedPayout(h.t, notOnboarded, { amount: 400 });
    const w = await start();

    await w.ctx.producer.runCron("process-payouts");
    const [run] = await cronRuns("process-payouts");
    expect(run).toMatchObject({
      cronType: "process-payouts",
      itemsProcessed: 6,
      totalPayouts: 6,
      succeeded: 4,
      failed: 0,
      skipped: 2,
      errors: [],
      totalAmount: 12_345 + 1 + 99_999 + 500,
      currency: "eur",
      trigger: "manual",
    });
    expect(stripe.transfers).toHaveLength(4);
    for (const [id, amount] of [[p1, 12_345], [p2, 1], [p3, 99_999], [stale, 500]] as const) {
      const [tr] = transfersOf(id);
      expect(transfersOf(id)).toHaveLength(1);
      expect(tr).toMatchObject({ amount, currency: "eur", metadata: expect.objectContaining({ payoutId: id }) });
      expect(await payoutRow(id)).toMatchObject({ status: "PAID", stripeTransferId: tr!.id, attempts: expect.any(Number) });
      expect(stripe.requests.find((r) => r.method === "POST" && r.idempotencyKey === `payout:${id}`)).toBeDefined();
    }
    expect((await payoutRow(p1)).attempts).toBe(1);
    expect((await payoutRow(fresh)).status).toBe("PROCESSING");
    expect(await payoutRow(paid)).toMatchObject({ status: "PAID", stripeTransferId: "tr_earlier" });
    expect((await payoutRow(s1)).status).toBe("REQUESTED");
    expect((await payoutRow(s2)).status).toBe("REQUESTED");

    const successes = await logs("PAYOUT_SUCCESS");
    expect(successes).toHaveLength(4);
    expect(successes.find((s) => s.context.payoutId === p3)?.context).toMatchObject({
      creatorId: c2,
      amount: 99_999,
      currency: "eur",
      stripeTransferId: transfersOf(p3)[0]!.id,
      replayed: false,
      recovered: false,
      trigger: "process-payouts",
    });
    // No Stripe account: unpayable, one row. Onboarding not finished: skipped and counted, no error.
    const unpayable = await logs("PAYOUT_ERROR");
    expect(unpayable.map((s) => s.context)).toEqual([expect.objectContaining({ payoutId: s1, unpayable: true, reason: "no_account", final: false })]);
    expect(run!.skippedPayouts).toEqual(
      expect.arrayContaining([
        { payoutId: s1, creatorId: noAccount, reason: "no_account" },
        { payoutId: s2, creatorId: notOnboarded, reason: "onboarding_incomplete" },
      ]),
    );
  });

  it("writes one PAYOUT_ERROR when a payout becomes unpayable and one when that changes, not one per sweep", async () => {
    const creator = await seedCreator(h.t, { stripeAccountId: null, isStripeOnboarded: false });
    const p = await seedPayout(h.t, creator, { amount: 300 });
    const w = await start();
    const sweep = async (n: number) => {
      await w.ctx.producer.runCron("process-payouts");
      return (await cronRuns("process-payouts", n))[n - 1];
    };
    const rowsOfPayout = async () => (await logs("PAYOUT_ERROR")).filter((r) => r.context.payoutId === p);
    expect(await sweep(1)).toMatchObject({ skipped: 1 });
    expect(await sweep(2)).toMatchObject({ skipped: 1 });
    expect(await sweep(3)).toMatchObject({ skipped: 1 });
    expect(await rowsOfPayout()).toHaveLength(1);
    // An account whose onboarding is not finished: the payout is only waiting, no row.
    await h.t.sql`UPDATE "Creator" SET "stripeAccountId" = 'acct_pending' WHERE id = ${creator}`;
    expect(await sweep(4)).toMatchObject({ skipped: 1 });
    expect(await rowsOfPayout()).toHaveLength(1);
    // The account gone again: it became unpayable again, one more row.
    await h.t.sql`UPDATE "Creator" SET "stripeAccountId" = NULL WHERE id = ${creator}`;
    await sweep(5);
    await sweep(6);
    expect((await rowsOfPayout()).map((r) => r.context.reason)).toEqual(["no_account", "no_account"]);
    expect(await h.t.sql`SELECT "unpayableReason" FROM "Payout" WHERE id = ${p}`).toEqual([{ unpayableReason: "no_account" }]);
    // Onboarded: paid, and the reason cleared with the claim.
    await h.t.sql`UPDATE "Creator" SET "stripeAccountId" = ${`acct_${creator}`}, "isStripeOnboarded" = true WHERE id = ${creator}`;
    expect(await sweep(7)).toMatchObject({ succeeded: 1, skipped: 0 });
    expect(await payoutRow(p)).toMatchObject({ status: "PAID" });
    expect(await h.t.sql`SELECT "unpayableReason" FROM "Payout" WHERE id = ${p}`).toEqual([{ unpayableReason: null }]);
    expect(await rowsOfPayout()).toHaveLength(2);
  });

  it("writes CRON_RUN at once with zeros when nothing is due", async () => {
    const w = await start();
    await w.ctx.producer.runCron("process-payouts");
    const [run] = await cronRuns("process-payouts");
    expect(run).toMatchObject({ itemsProcessed: 0, succeeded: 0, failed: 0, skipped: 0, errors: [], totalAmount: 0 });
    expect(stripe.requests).toEqual([]);
  });

  it("pays each payout once when two runs race on two copies of the worker", async () => {
    const creators = await Promise.all([seedCreator(h.t), seedCreator(h.t), seedCreator(h.t)]);
    const ids: string[] = [];
    for (const [i, c] of creators.entries()) for (let k = 1; k <= 3; k++) ids.push(await seedPayout(h.t, c, { amount: 1000 * k + i }));
    stripe.setFaults({ slowMs: 50 });
    const [a, b] = [await start(), await start()];
    await Promise.all([
      a.ctx.queue("payouts").add("process-payouts", { trigger: "manual" }, { jobId: "race-a" }),
      b.ctx.queue("payouts").add("process-payouts", { trigger: "manual" }, { jobId: "race-b" }),
    ]);
    const runs = await cronRuns("process-payouts", 2);
    await waitFor("every payout paid", async () => (await h.t.sql`SELECT 1 FROM "Payout" WHERE status <> 'PAID'`).length === 0);
    expect(stripe.transfers).toHaveLength(ids.length);
    for (const id of ids) {
      expect(transfersOf(id)).toHaveLength(1);
      expect((await payoutRow(id)).stripeTransferId).toBe(transfersOf(id)[0]!.id);
    }
    expect(runs.reduce((n, r) => n + Number(r.succeeded), 0)).toBe(ids.length);
    expect(await logs("PAYOUT_SUCCESS")).toHaveLength(ids.length);
  });

  it("fails a payout Stripe refuses for good, without retrying, and lists it in the run's errors", async () => {
    const c = await seedCreator(h.t);
    const id = await seedPayout(h.t, c, { amount: 4200 });
    stripe.setFaults({ cardErrorNext: 1 });
    const w = await start();
    await w.ctx.producer.runCron("process-payouts");
    const [run] = await cronRuns("process-payouts");
    expect(run).toMatchObject({ succeeded: 0, failed: 1, skipped: 0, totalAmount: 0 });
    expect(run!.errors).toEqual([{ payoutId: id, creatorId: c, error: expect.stringContaining("card_declined") }]);
    expect(await payoutRow(id)).toMatchObject({ status: "FAILED", stripeTransferId: null, failureReason: expect.stringContaining("declined") });
    const [error] = await logs("PAYOUT_ERROR");
    expect(error?.context).toMatchObject({ payoutId: id, creatorId: c, attempt: 1, payoutStatus: "FAILED", final: true, stage: "transfer" });
    const job = await w.ctx.queue("payouts").getJob(`payout-${id}`);
    expect(job?.attemptsMade).toBe(1);
    expect(stripe.transfers).toHaveLength(0);
  });

  it("recovers a transfer whose answer was lost (the SDK retries with the same key): one transfer, PAID", async () => {
    const c = await seedCreator(h.t);
    const id = await seedPayout(h.t, c, { amount: 2500 });
    stripe.setFaults({ dropAfterCommitNext: 1 });
    const w = await start();
    await w.ctx.producer.enqueuePayout({ payoutId: id });
    await waitFor("payout paid", async () => (await payoutRow(id)).status === "PAID");
    expect(stripe.transfers).toHaveLength(1);
    expect(await payoutRow(id)).toMatchObject({ stripeTransferId: stripe.transfers[0]!.id });
    const [success] = await waitFor("PAYOUT_SUCCESS", () => logs("PAYOUT_SUCCESS").then((r) => (r.length ? r : null)));
    expect(success?.context).toMatchObject({ payoutId: id, replayed: true, trigger: "manual" });
  });

  it("recovers a lost answer on the job's own retry by finding the transfer first", async () => {
    const c = await seedCreator(h.t);
    const id = await seedPayout(h.t, c, { amount: 2600 });
    stripe.setFaults({ dropAfterCommitNext: 1 });
    const w = await start({ STRIPE_MAX_NETWORK_RETRIES: "0" });
    await w.ctx.producer.enqueuePayout({ payoutId: id });
    // stripe-node always retries a reset connection once (~0.5 s later): drop that retry too, so the
    // job fails this attempt and its own retry has to find the transfer.
    await waitFor("the committed transfer", () => stripe.transfers.length === 1, { intervalMs: 5 });
    stripe.setFaults({ dropNext: 1 });
    await waitFor("payout paid", async () => (await payoutRow(id)).status === "PAID", { timeoutMs: 30_000 });
    expect(stripe.transfers).toHaveLength(1);
    expect(await payoutRow(id)).toMatchObject({ stripeTransferId: stripe.transfers[0]!.id, attempts: 2 });
    expect(stripe.requests.filter((r) => r.method === "POST")).toHaveLength(2);
    expect(stripe.requests.filter((r) => r.method === "GET")).toHaveLength(1);
    const [error] = await logs("PAYOUT_ERROR");
    expect(error?.context).toMatchObject({ payoutId: id, attempt: 1, final: false });
    const [success] = await waitFor("PAYOUT_SUCCESS", () => logs("PAYOUT_SUCCESS").then((r) => (r.length ? r : null)));
    expect(success?.context).toMatchObject({ payoutId: id, attempt: 2, recovered: true, replayed: false });
  }, 40_000);

  it("marks a stale PROCESSING payout PAID with the transfer made before the crash, without paying again", async () => {
    const c = await seedCreator(h.t);
    const id = await seedPayout(h.t, c, { amount: 3100, status: "PROCESSING", processingAt: new Date(Date.now() - 60 * 60_000) });
    const [acct] = await h.t.sql<Array<{ stripeAccountId: string }>>`SELECT "stripeAccountId" FROM "Creator" WHERE id = ${c}`;
    const before = await createStripePayouts({ secretKey: stripe.secretKey, apiBase: stripe.url }).createTransfer({
      payoutId: id,
      amount: 3100,
      currency: "eur",
      destination: acct!.stripeAccountId,
    });
    const w = await start();
    await w.ctx.producer.runCron("process-payouts");
    const [run] = await cronRuns("process-payouts");
    expect(run).toMatchObject({ succeeded: 1, totalAmount: 3100 });
    expect(stripe.transfers).toHaveLength(1);
    expect(await payoutRow(id)).toMatchObject({ status: "PAID", stripeTransferId: before.id });
    expect((await logs("PAYOUT_SUCCESS"))[0]?.context).toMatchObject({ recovered: true, stripeTransferId: before.id });
  });
});

describe("pay-payout", () => {
  it.each([
    ["a numeric payoutId", { payoutId: 42 }],
    ["no payoutId", { trigger: "manual" }],
  ])("refuses a job with %s on its first attempt, with a PAYOUT_ERROR row", async (_label, data) => {
    const w = await start();
    const job = await w.ctx.queue("payouts").add("pay-payout", data, { attempts: 5 });
    await waitFor("job failed", async () => (await job.getState()) === "failed");
    const failed = await w.ctx.queue("payouts").getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/Invalid pay-payout payload: payoutId/);
    const [row] = await waitFor("PAYOUT_ERROR", () => logs("PAYOUT_ERROR").then((r) => (r.length ? r : null)));
    expect(row?.error).toMatch(/payoutId/);
    expect(stripe.requests).toEqual([]);
  });

  it("does not call Stripe for a payout already PAID, and fails clearly for one that does not exist", async () => {
    const c = await seedCreator(h.t);
    const paid = await seedPayout(h.t, c, { amount: 100, status: "PAID", stripeTransferId: "tr_before" });
    const w = await start();
    await w.ctx.producer.enqueuePayout({ payoutId: paid });
    await w.ctx.producer.enqueuePayout({ payoutId: "nosuchpayout" });
    const q = w.ctx.queue("payouts");
    await waitFor("both done", async () =>
      (await q.getJobState(`payout-${paid}`)) === "completed" && (await q.getJobState("payout-nosuchpayout")) === "failed",
    );
    expect((await q.getJob(`payout-${paid}`))?.returnvalue).toMatchObject({ status: "already_paid", stripeTransferId: "tr_before" });
    const missing = await q.getJob("payout-nosuchpayout");
    expect(missing?.attemptsMade).toBe(1);
    expect(missing?.failedReason).toMatch(/does not exist/);
    expect(stripe.requests).toEqual([]);
    expect((await logs("PAYOUT_ERROR")).some((l) => l.context.payoutId === "nosuchpayout")).toBe(true);
  });
});

describe("process-automatic-payouts", () => {
  it("pays each eligible creator's whole available balance, following the balance rules", async () => {
    const auto = (o: Parameters<typeof seedCreator>[1] = {}) => seedCreator(h.t, { automaticPayoutsEnabled: true, ...o });
    const below = await auto();
    await seedEarning(h.t, below, { creatorAmount: 4999 });
    const exactly = await auto();
    await seedEarning(h.t, exactly, { creatorAmount: 2000 });
    await seedEarning(h.t, exactly, { creatorAmount: 3000 });
    const notCompleted = await auto();
    await seedEarning(h.t, notCompleted, { creatorAmount: 3000 });
    await seedEarning(h.t, notCompleted, { creatorAmount: 4000, bookingStatus: "CONFIRMED" });
    await seedEarning(h.t, notCompleted, { creatorAmount: 4000, bookingStatus: "CANCELLED" });
    const refunded = await auto();
    await seedEarning(h.t, refunded, { creatorAmount: 3000 });
    await seedEarning(h.t, refunded, { creatorAmount: 4000, paymentStatus: "REFUNDED" });
    await seedEarning(h.t, refunded, { creatorAmount: 4000, paymentStatus: "FAILED" });
    await seedEarning(h.t, refunded, { creatorAmount: 4000, paymentStatus: "PENDING" });
    const alreadyPaid = await auto();
    await seedEarning(h.t, alreadyPaid, { creatorAmount: 9000 });
    await seedPayout(h.t, alreadyPaid, { amount: 3000, status: "PAID", stripeTransferId: "tr_old" });
    const manualInFlight = await auto();
    await seedEarning(h.t, manualInFlight, { creatorAmount: 9000 });
    await seedPayout(h.t, manualInFlight, { amount: 2000, status: "REQUESTED" });
    const autoInFlight = await auto();
    await seedEarning(h.t, autoInFlight, { creatorAmount: 20_000 });
    await seedPayout(h.t, autoInFlight, { amount: 6000, status: "PROCESSING", isAutomatic: true });
    const failedNotDeducted = await auto();
    await seedEarning(h.t, failedNotDeducted, { creatorAmount: 6000 });
    await seedPayout(h.t, failedNotDeducted, { amount: 6000, status: "FAILED" });
    const otherCurrency = await auto();
    await seedEarning(h.t, otherCurrency, { creatorAmount: 6000 });
    await seedEarning(h.t, otherCurrency, { creatorAmount: 6000, currency: "usd" });
    await seedPayout(h.t, otherCurrency, { amount: 5000, currency: "usd", status: "PAID", stripeTransferId: "tr_usd" });
    const usdCreator = await auto({ payoutCurrency: "usd", automaticPayoutMinimum: 1000 });
    await seedEarning(h.t, usdCreator, { creatorAmount: 1500, currency: "usd" });
    const noAccount = await auto({ stripeAccountId: null, isStripeOnboarded: false });
    await seedEarning(h.t, noAccount, { creatorAmount: 50_000 });
    const manualOnly = await seedCreator(h.t);
    await seedEarning(h.t, manualOnly, { creatorAmount: 50_000 });

    const w = await start();
    await w.ctx.producer.runCron("process-automatic-payouts");
    const [run] = await cronRuns("process-automatic-payouts");

    const expected: Record<string, number | null> = {
      [below]: null,
      [exactly]: 5000,
      [notCompleted]: null,
      [refunded]: null,
      [alreadyPaid]: 6000,
      [manualInFlight]: 7000,
      [autoInFlight]: null,
      [failedNotDeducted]: 6000,
      [otherCurrency]: 6000,
      [usdCreator]: 1500,
      [noAccount]: null,
      [manualOnly]: null,
    };
    const created = await h.t.sql<Array<{ creatorId: string; amount: number; currency: string; status: string; stripeTransferId: string }>>`
      SELECT "creatorId", amount, currency, status, "stripeTransferId" FROM "Payout" WHERE "isAutomatic" AND status = 'PAID'`;
    const byCreator = Object.fromEntries(created.map((p) => [p.creatorId, p.amount]));
    for (const [creatorId, amount] of Object.entries(expected)) expect([creatorId, byCreator[creatorId] ?? null]).toEqual([creatorId, amount]);
    expect(created.find((p) => p.creatorId === usdCreator)?.currency).toBe("usd");
    for (const p of created) expect(stripe.transfers.filter((tr) => tr.id === p.stripeTransferId)).toHaveLength(1);
    expect(stripe.transfers).toHaveLength(6);

    expect(run).toMatchObject({
      cronType: "process-automatic-payouts",
      totalCreators: 11,
      itemsProcessed: 6,
      succeeded: 6,
      skipped: 5,
      failed: 0,
      totalAmount: 5000 + 6000 + 7000 + 6000 + 6000 + 1500,
      currency: "mixed",
      amountsByCurrency: { eur: 30_000, usd: 1500 },
    });
    // A creator who cannot be paid yet is skipped and named in the run, not an error.
    expect(await logs("PAYOUT_ERROR")).toEqual([]);
    expect(run!.skippedCreators).toEqual(expect.arrayContaining([{ creatorId: noAccount, reason: "no_account" }]));
    // The in-flight automatic payout was left as it was.
    expect(await h.t.sql`SELECT 1 FROM "Payout" WHERE "creatorId" = ${autoInFlight} AND status = 'PROCESSING'`).toHaveLength(1);
  });

  it("creates one automatic payout per creator however many runs decide at once", async () => {
    const c = await seedCreator(h.t, { automaticPayoutsEnabled: true });
    await seedEarning(h.t, c, { creatorAmount: 8000 });
    const w = await start();
    const decisions = await Promise.all(Array.from({ length: 6 }, () => createAutomaticPayout(w.ctx.db, c)));
    expect(decisions.filter((d) => d.kind === "created")).toHaveLength(1);
    expect(decisions.filter((d) => d.kind === "created")[0]).toMatchObject({ amount: 8000, currency: "eur" });
    expect(await h.t.sql`SELECT 1 FROM "Payout" WHERE "creatorId" = ${c}`).toHaveLength(1);
  });
});
