import type { ChildProcess } from "node:child_process";
import { createProducer, type Producer } from "@callastar/producer";
import { startStripeStandin, type StripeStandin } from "@callastar/standins/stripe";
import { createTestDatabase, obliteratePrefix, spawnApp, testEnv, uniquePrefix, waitFor, type AppProcess, type TestDatabase } from "@callastar/testing";
import { seedCreator, seedPayout } from "./test-seed";

// SIGKILL between Stripe's transfer and the database update: the next worker process must find the
// transfer (or replay its idempotency key) and mark the payout PAID, never pay twice.

let t: TestDatabase;
let stripe: StripeStandin;
let producer: Producer;
let prefix: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  stripe = await startStripeStandin();
  prefix = uniquePrefix("payout-crash");
  producer = createProducer({ connection: testEnv.redisUrl, prefix });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await producer.close();
  await obliteratePrefix(prefix);
  await stripe.close();
  await t.drop();
});

/**
 * Starts the real payout worker (src/main.ts) as its own process and waits until it consumes. The
 * child gets only what it needs (PATH, HOME and the variables below), not the test runner's environment.
 */
async function spawnWorker(extraEnv: Record<string, string> = {}): Promise<AppProcess> {
  const worker = spawnApp("payout-worker", {
    NODE_ENV: "test",
    DATABASE_URL: t.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: prefix,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
    // A killed worker's job comes back quickly: 2 s lock, stalled check every second.
    WORKER_LOCK_DURATION_MS: "2000",
    WORKER_STALLED_INTERVAL_MS: "1000",
    SHUTDOWN_TIMEOUT_MS: "10000",
    ...extraEnv,
  });
  children.push(worker.child);
  await Promise.race([
    worker.waitForOutput("consuming"),
    worker.exited.then((end) => Promise.reject(new Error(`worker exited early (${end}):\n${worker.output()}`))),
  ]);
  return worker;
}

const payoutRow = async (id: string) =>
  (await t.sql<Array<{ status: string; stripeTransferId: string | null }>>`
    SELECT status, "stripeTransferId" FROM "Payout" WHERE id = ${id}`)[0]!;

it("pays once when the worker is SIGKILLed between the Stripe transfer and the database update", async () => {
  const creatorId = await seedCreator(t);
  const payoutId = await seedPayout(t, creatorId, { amount: 7300 });
  // The transfer takes 1.5 s at "Stripe": the worker is killed while waiting for the answer, and
  // the stand-in commits the transfer all the same.
  stripe.setFaults({ slowMs: 1500 });

  const first = await spawnWorker();
  await producer.runCron("process-payouts", "crash-test");
  await waitFor("the transfer request to reach Stripe", () =>
    stripe.requests.some((r) => r.method === "POST" && r.idempotencyKey === `payout:${payoutId}`),
  );
  first.child.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");
  await waitFor("Stripe to commit the transfer", () => stripe.transfers.length === 1);
  stripe.setFaults({ slowMs: 0 });
  // The money moved, the database does not know yet.
  expect(await payoutRow(payoutId)).toEqual({ status: "PROCESSING", stripeTransferId: null });

  const second = await spawnWorker();
  await waitFor("the payout PAID", async () => (await payoutRow(payoutId)).status === "PAID", { timeoutMs: 30_000 });

  expect(stripe.transfers).toHaveLength(1);
  const [transfer] = stripe.transfers;
  expect(transfer).toMatchObject({ amount: 7300, currency: "eur", transfer_group: payoutId });
  expect(await payoutRow(payoutId)).toEqual({ status: "PAID", stripeTransferId: transfer!.id });
  const successes = await waitFor("PAYOUT_SUCCESS", async () => {
    const rows = await t.sql<Array<{ context: Record<string, unknown> }>>`SELECT context FROM "Log" WHERE type = 'PAYOUT_SUCCESS'`;
    return rows.length ? rows : null;
  });
  expect(successes).toHaveLength(1);
  expect(successes[0]!.context).toMatchObject({ payoutId, creatorId, amount: 7300, stripeTransferId: transfer!.id, recovered: true });
  // The run that was interrupted still closes with its CRON_RUN.
  const [run] = await waitFor("CRON_RUN", async () => {
    const rows = await t.sql<Array<{ context: Record<string, unknown> }>>`
      SELECT context FROM "Log" WHERE type = 'CRON_RUN' AND context->>'cronType' = 'process-payouts'`;
    return rows.length ? rows : null;
  });
  expect(run!.context).toMatchObject({ succeeded: 1, failed: 0, totalAmount: 7300 });

  second.child.kill("SIGTERM");
  expect(await second.exited).toBe(0);
  // Still one transfer, and still one success row, after everything settled.
  expect(stripe.transfers).toHaveLength(1);
  expect(await t.sql`SELECT 1 FROM "Log" WHERE type = 'PAYOUT_SUCCESS'`).toHaveLength(1);
}, 90_000);

it("recovers a PROCESSING payout whose worker was SIGKILLed and whose job was lost, paying it once", async () => {
  const creatorId = await seedCreator(t);
  const payoutId = await seedPayout(t, creatorId, { amount: 8100 });
  stripe.setFaults({ slowMs: 1500 });
  const first = await spawnWorker();
  await producer.enqueuePayout({ payoutId });
  const key = `payout:${payoutId}`;
  await waitFor("the transfer request to reach Stripe", () => stripe.requests.some((r) => r.method === "POST" && r.idempotencyKey === key));
  first.child.kill("SIGKILL");
  expect(await first.exited).toBe("SIGKILL");
  await waitFor("Stripe to commit the transfer", () => stripe.transfers.some((tr) => tr.transfer_group === payoutId));
  stripe.setFaults({ slowMs: 0 });
  expect(await payoutRow(payoutId)).toEqual({ status: "PROCESSING", stripeTransferId: null });

  // The job is lost as a Redis without persistence loses it (or as a job failed for good is
  // removed): once the dead worker's lock expires, nothing in Redis knows about this payout.
  const queue = producer.queue("payouts");
  await waitFor("the dead worker's job removed", async () => (await queue.remove(`payout-${payoutId}`)) === 1, { timeoutMs: 30_000 });
  expect(await queue.getJobState(`payout-${payoutId}`)).toBe("unknown");

  const second = await spawnWorker({ PAYOUT_RECOVERY_INTERVAL_MS: "500", PAYOUT_RECOVERY_GRACE_MS: "1000" });
  await waitFor("the payout PAID", async () => (await payoutRow(payoutId)).status === "PAID", { timeoutMs: 30_000 });
  expect(second.output()).toContain(`payout recovery: re-enqueued 1 payout(s) whose job was no longer in flight: ${payoutId}`);

  const transfers = stripe.transfers.filter((tr) => tr.transfer_group === payoutId);
  expect(transfers).toHaveLength(1);
  expect(await payoutRow(payoutId)).toEqual({ status: "PAID", stripeTransferId: transfers[0]!.id });
  const rows = await t.sql<Array<{ id: string; context: Record<string, unknown> }>>`
    SELECT id, context FROM "Log" WHERE type = 'PAYOUT_SUCCESS' AND context->>'payoutId' = ${payoutId}`;
  expect(rows).toEqual([{ id: `payout-paid:${payoutId}`, context: expect.objectContaining({ trigger: "recovery", recovered: true, stripeTransferId: transfers[0]!.id }) }]);

  second.child.kill("SIGTERM");
  expect(await second.exited).toBe(0);
  expect(stripe.transfers.filter((tr) => tr.transfer_group === payoutId)).toHaveLength(1);
}, 90_000);
