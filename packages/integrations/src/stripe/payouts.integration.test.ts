import { PermanentError, RateLimitedError, TransientError } from "@callastar/errors";
import { startStripeStandin, type StripeStandin } from "@callastar/standins/stripe";
import { waitFor } from "@callastar/testing";
import {
  createStripePayouts,
  isBalanceInsufficient,
  payoutIdempotencyKey,
  StripeBalanceInsufficientError,
  type StripePayouts,
  type StripePayoutsOptions,
} from "./index";

let stripe: StripeStandin;
let payouts: StripePayouts;
const client = (overrides: Partial<StripePayoutsOptions> = {}) =>
  createStripePayouts({ secretKey: stripe.secretKey, apiBase: stripe.url, ...overrides });
const input = { payoutId: "po_1", amount: 2500, currency: "EUR", destination: "acct_creator1" };
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

beforeAll(async () => {
  stripe = await startStripeStandin();
  payouts = client();
});
afterEach(() => stripe.reset());
afterAll(() => stripe.close());

describe("createTransfer", () => {
  it("sends the payout's idempotency key, transfer_group and metadata through the real SDK", async () => {
    const transfer = await payouts.createTransfer({ ...input, description: "Payout po_1", metadata: { creatorId: "c1" } });
    expect(transfer).toMatchObject({ amount: 2500, currency: "eur", destination: "acct_creator1", transferGroup: "po_1", replayed: false });
    expect(transfer.id).toBe(stripe.transfers[0]?.id);
    expect(stripe.transfers[0]).toMatchObject({ transfer_group: "po_1", description: "Payout po_1", metadata: { payoutId: "po_1", creatorId: "c1" } });
    expect(stripe.requests).toHaveLength(1);
    expect(stripe.requests[0]).toMatchObject({ method: "POST", path: "/v1/transfers", idempotencyKey: "payout:po_1", status: 200 });
  });

  it("pays a payout once when it is requested twice: the second answer is a replay", async () => {
    const first = await payouts.createTransfer(input);
    const second = await payouts.createTransfer(input);
    expect(second).toMatchObject({ id: first.id, replayed: true });
    expect(stripe.transfers).toHaveLength(1);
  });

  it("recovers a transfer whose answer was lost after commit: the SDK retries with the same key", async () => {
    stripe.setFaults({ dropAfterCommitNext: 1 });
    const transfer = await payouts.createTransfer(input);
    expect(stripe.transfers).toHaveLength(1);
    expect(transfer).toMatchObject({ id: stripe.transfers[0]?.id, replayed: true });
    expect(stripe.requests.map((r) => r.idempotencyKey)).toEqual(["payout:po_1", "payout:po_1"]);
  });

  it("pays once when the SDK gives up and the job retries later", async () => {
    // stripe-node retries a reset connection once even with maxNetworkRetries 0: the first attempt
    // is dropped before it reaches Stripe, the SDK's own retry commits and loses its answer.
    const noRetries = client({ maxNetworkRetries: 0 });
    stripe.setFaults({ dropNext: 1, dropAfterCommitNext: 1 });
    const error = await rejection(noRetries.createTransfer(input));
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: "connection_error" });
    expect(stripe.transfers).toHaveLength(1);
    expect(stripe.requests.map((r) => r.idempotencyKey)).toEqual(["payout:po_1", "payout:po_1"]);
    const retried = await noRetries.createTransfer(input);
    expect(retried).toMatchObject({ id: stripe.transfers[0]?.id, replayed: true });
    expect(stripe.transfers).toHaveLength(1);
  });

  it("pays once when an attempt times out while Stripe is still executing it", async () => {
    const impatient = client({ maxNetworkRetries: 0, timeoutMs: 100 });
    stripe.setFaults({ slowMs: 400 });
    await expect(impatient.createTransfer(input)).rejects.toBeInstanceOf(TransientError);
    // Still executing: Stripe answers 409 to the same key; the SDK turns that into an API error.
    await expect(impatient.createTransfer(input)).rejects.toBeInstanceOf(TransientError);
    stripe.setFaults({ slowMs: 0 });
    // The first attempt commits its transfer and stores its answer in the same turn.
    await waitFor("the slow attempt's transfer", () => stripe.transfers.length === 1);
    const settled = await impatient.createTransfer(input);
    expect(settled).toMatchObject({ id: stripe.transfers[0]?.id, replayed: true });
    expect(stripe.transfers).toHaveLength(1);
  });

  it("retries a 500 inside the SDK with the same key, then succeeds", async () => {
    stripe.setFaults({ failNext: 1 });
    const transfer = await payouts.createTransfer(input);
    expect(transfer.replayed).toBe(false);
    expect(stripe.requests.map((r) => [r.status, r.idempotencyKey])).toEqual([[500, "payout:po_1"], [200, "payout:po_1"]]);
  });
});

describe("createTransfer errors", () => {
  it("refuses the same payout with another amount: PermanentError idempotency_error", async () => {
    await payouts.createTransfer(input);
    const error = await rejection(payouts.createTransfer({ ...input, amount: 9999 }));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 400, code: "idempotency_error" });
    expect((error as Error).message).toMatch(/Keys for idempotent requests can only be used with the same parameters/);
    expect(stripe.transfers).toHaveLength(1);
  });

  it("reports a missing connected account as PermanentError resource_missing", async () => {
    stripe.missingAccounts.add("acct_gone");
    const error = await rejection(payouts.createTransfer({ ...input, destination: "acct_gone" }));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 400, code: "resource_missing", message: expect.stringContaining("No such destination: 'acct_gone'") });
    expect((error as Error).cause).toBeDefined();
  });

  it("reports an insufficient platform balance as StripeBalanceInsufficientError, retryable later", async () => {
    stripe.setBalance(1000, "eur");
    const error = await rejection(payouts.createTransfer(input));
    expect(error).toBeInstanceOf(StripeBalanceInsufficientError);
    expect(isBalanceInsufficient(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, code: "balance_insufficient", retryable: true });
    expect(stripe.transfers).toHaveLength(0);
  });

  it("needs the next key generation once the balance returns: Stripe replays the refusal to the same key", async () => {
    stripe.setFaults({ balanceInsufficientNext: 1 });
    await expect(payouts.createTransfer(input)).rejects.toBeInstanceOf(StripeBalanceInsufficientError);
    await expect(payouts.createTransfer(input)).rejects.toBeInstanceOf(StripeBalanceInsufficientError);
    const paid = await payouts.createTransfer({ ...input, keyGeneration: 1 });
    expect(paid).toMatchObject({ id: stripe.transfers[0]?.id, replayed: false });
    expect(stripe.transfers).toHaveLength(1);
    expect(stripe.requests.map((r) => [r.idempotencyKey, r.status, r.replayed])).toEqual([
      ["payout:po_1", 400, false],
      ["payout:po_1", 400, true],
      ["payout:po_1:1", 200, false],
    ]);
    expect(payoutIdempotencyKey("po_1", 0)).toBe("payout:po_1");
  });

  it("reports a card error as PermanentError card_declined", async () => {
    stripe.setFaults({ cardErrorNext: 1 });
    await expect(payouts.createTransfer(input)).rejects.toMatchObject({ name: "PermanentError", status: 402, code: "card_declined" });
  });

  it("turns 429 into RateLimitedError; the SDK does not retry 429 itself", async () => {
    stripe.setFaults({ rateLimitNext: 1 });
    const error = await rejection(client({ maxNetworkRetries: 0 }).createTransfer(input));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(1000);
    stripe.setFaults({ rateLimitNext: 1 });
    await expect(payouts.createTransfer({ ...input, payoutId: "po_2" })).rejects.toBeInstanceOf(RateLimitedError);
    expect(stripe.requests.filter((r) => r.status === 429)).toHaveLength(2);
    expect(stripe.requests).toHaveLength(2);
  });

  it("turns a 500 it was not allowed to retry into TransientError", async () => {
    stripe.setFaults({ failNext: 1 });
    await expect(client({ maxNetworkRetries: 0 }).createTransfer(input)).rejects.toMatchObject({ name: "TransientError", status: 500, code: "api_error" });
  });

  it("reports a wrong secret key as PermanentError 401", async () => {
    const wrong = createStripePayouts({ secretKey: "sk_test_wrong", apiBase: stripe.url });
    await expect(wrong.createTransfer(input)).rejects.toMatchObject({ name: "PermanentError", status: 401 });
  });

  it("refuses bad input before calling Stripe, naming the field", async () => {
    const bad = [
      [{ ...input, amount: 0 }, /amount: must be positive/],
      [{ ...input, amount: 12.5 }, /amount: must be an integer/],
      [{ ...input, currency: "euro" }, /currency/],
      [{ ...input, destination: "cus_123" }, /destination/],
      [{ ...input, payoutId: " " }, /payoutId/],
      [{ ...input, metadata: { payoutId: "other" } }, /contradicts/],
      [{ ...input, keyGeneration: -1 }, /keyGeneration: must be >= 0/],
    ] as const;
    for (const [value, message] of bad) {
      const error = await rejection(payouts.createTransfer(value));
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as Error).message).toMatch(message);
    }
    expect(stripe.requests).toHaveLength(0);
  });
});

describe("findTransferForPayout", () => {
  it("finds the payout's transfer by transfer_group, and nothing for another payout", async () => {
    expect(await payouts.findTransferForPayout("po_1")).toBeNull();
    const created = await payouts.createTransfer(input);
    await payouts.createTransfer({ ...input, payoutId: "po_2" });
    const found = await payouts.findTransferForPayout("po_1");
    expect(found).toMatchObject({ id: created.id, amount: 2500, transferGroup: "po_1", metadata: { payoutId: "po_1" } });
    expect(found?.created).toBeInstanceOf(Date);
    expect(await payouts.findTransferForPayout("po_3")).toBeNull();
    expect(stripe.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/transfers" });
  });

  it("ignores a transfer in the group that another payout's metadata claims", async () => {
    await payouts.createTransfer({ ...input, payoutId: "po_9" });
    // A transfer made by hand in the dashboard with a colliding group is not this payout's.
    const manual = await fetch(`${stripe.url}/v1/transfers`, {
      method: "POST",
      headers: { Authorization: `Bearer ${stripe.secretKey}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: "amount=1&currency=eur&destination=acct_x&transfer_group=po_1",
    });
    expect(manual.status).toBe(200);
    expect(await payouts.findTransferForPayout("po_1")).toBeNull();
  });
});
