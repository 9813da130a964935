import { startStripeStandin, type StripeStandin } from "./index";
import { waitUntil } from "../wait-until";

let stripe: StripeStandin;
beforeAll(async () => {
  stripe = await startStripeStandin();
});
afterEach(() => stripe.reset());
afterAll(() => stripe.close());

type Answer = { status: number; headers: Headers; body: Record<string, unknown> & { error?: Record<string, unknown> } };
const post = async (form: string, headers: Record<string, string> = {}, key = stripe.secretKey): Promise<Answer> => {
  const res = await fetch(`${stripe.url}/v1/transfers`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: form,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer["body"] };
};
const get = async (path: string): Promise<Answer> => {
  const res = await fetch(`${stripe.url}${path}`, { headers: { Authorization: `Bearer ${stripe.secretKey}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer["body"] };
};
const transfer = "amount=1500&currency=EUR&destination=acct_123&transfer_group=p1&metadata[payoutId]=p1";

describe("Stripe stand-in: transfers", () => {
  it("creates a transfer object shaped like Stripe's, with Request-Id and Stripe-Version", async () => {
    const res = await post(transfer, { "Stripe-Version": "2026-10-28.endive" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: "transfer",
      amount: 1500,
      amount_reversed: 0,
      currency: "eur",
      destination: "acct_123",
      livemode: false,
      metadata: { payoutId: "p1" },
      reversed: false,
      source_transaction: null,
      source_type: "card",
      transfer_group: "p1",
      description: null,
      reversals: { object: "list", data: [], has_more: false, total_count: 0 },
    });
    expect(res.body.id).toMatch(/^tr_[A-Za-z0-9]{24}$/);
    expect(res.body.destination_payment).toMatch(/^py_/);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    expect(res.headers.get("stripe-version")).toBe("2026-10-28.endive");
    expect((await get(`/v1/transfers/${String(res.body.id)}`)).body).toEqual(res.body);
    expect(stripe.transfers).toHaveLength(1);
  });

  it("validates parameters with Stripe's messages and params", async () => {
    expect((await post("currency=eur&destination=acct_1")).body.error).toMatchObject({ type: "invalid_request_error", param: "amount", message: "Missing required param: amount." });
    expect((await post("amount=0&currency=eur&destination=acct_1")).body.error).toMatchObject({ param: "amount" });
    expect((await post("amount=1.5&currency=eur&destination=acct_1")).body.error).toMatchObject({ param: "amount", message: "Invalid integer: 1.5" });
    expect((await post("amount=1&currency=euro&destination=acct_1")).body.error).toMatchObject({ param: "currency" });
    expect((await post("amount=1&currency=eur&destination=acct_1&colour=red")).body.error).toMatchObject({ param: "colour", code: "parameter_unknown" });
    const missing = await post("amount=1&currency=eur&destination=bogus");
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "resource_missing", param: "destination", message: "No such destination: 'bogus'" });
    expect(stripe.transfers).toHaveLength(0);
  });

  it("refuses transfers to missing accounts and beyond the available balance", async () => {
    stripe.missingAccounts.add("acct_gone");
    expect((await post("amount=1&currency=eur&destination=acct_gone")).body.error).toMatchObject({ code: "resource_missing", message: "No such destination: 'acct_gone'" });
    stripe.setBalance(1000, "eur");
    expect((await post("amount=600&currency=eur&destination=acct_1")).status).toBe(200);
    const short = await post("amount=600&currency=eur&destination=acct_1");
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ type: "invalid_request_error", code: "balance_insufficient" });
    expect((await post("amount=600&currency=usd&destination=acct_1")).status).toBe(200);
  });

  it("answers 401 for a wrong or missing key", async () => {
    expect((await post(transfer, {}, "sk_test_wrong")).status).toBe(401);
    const res = await fetch(`${stripe.url}/v1/transfers`);
    expect(res.status).toBe(401);
  });

  it("lists transfers newest first, filtered by transfer_group, with limit and has_more", async () => {
    for (const group of ["g1", "g2", "g1", "g1"]) await post(`amount=1&currency=eur&destination=acct_1&transfer_group=${group}`);
    const page = await get("/v1/transfers?transfer_group=g1&limit=2");
    expect(page.body).toMatchObject({ object: "list", has_more: true, url: "/v1/transfers" });
    const data = page.body.data as Array<{ id: string; transfer_group: string }>;
    expect(data.map((t) => t.transfer_group)).toEqual(["g1", "g1"]);
    expect(data[0]?.id).toBe(stripe.transfers[3]?.id);
    const next = await get(`/v1/transfers?transfer_group=g1&limit=2&starting_after=${data[1]?.id ?? ""}`);
    expect((next.body.data as unknown[]).length).toBe(1);
    expect(next.body.has_more).toBe(false);
    expect((await get("/v1/transfers/tr_nope")).body.error).toMatchObject({ code: "resource_missing" });
  });
});

describe("Stripe stand-in: idempotency", () => {
  it("replays the first answer for the same key and params, with Idempotent-Replayed", async () => {
    const first = await post(transfer, { "Idempotency-Key": "payout:p1" });
    const again = await post("metadata[payoutId]=p1&transfer_group=p1&destination=acct_123&currency=EUR&amount=1500", { "Idempotency-Key": "payout:p1" });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("original-request")).toBe(first.headers.get("request-id"));
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(stripe.transfers).toHaveLength(1);
    expect(stripe.requests.map((r) => [r.idempotencyKey, r.replayed])).toEqual([["payout:p1", false], ["payout:p1", true]]);
  });

  it("refuses the same key with other params", async () => {
    await post(transfer, { "Idempotency-Key": "k" });
    const other = await post(transfer.replace("1500", "1600"), { "Idempotency-Key": "k" });
    expect(other.status).toBe(400);
    expect(other.body.error).toEqual({
      type: "idempotency_error",
      message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'k' if you meant to execute a different request.",
    });
  });

  it("scopes keys to the Stripe-Account and records the header", async () => {
    await post(transfer, { "Idempotency-Key": "k" });
    const connected = await post(transfer, { "Idempotency-Key": "k", "Stripe-Account": "acct_999" });
    expect(connected.headers.get("idempotent-replayed")).toBeNull();
    expect(stripe.requests[1]?.stripeAccount).toBe("acct_999");
  });

  it("stores answers of executed requests (balance_insufficient) but not of validation failures or injected 500s", async () => {
    stripe.setFaults({ failNext: 1 });
    expect((await post(transfer, { "Idempotency-Key": "a" })).status).toBe(500);
    expect((await post(transfer, { "Idempotency-Key": "a" })).status).toBe(200);
    stripe.missingAccounts.add("acct_late");
    const toLate = "amount=1&currency=eur&destination=acct_late";
    expect((await post(toLate, { "Idempotency-Key": "b" })).status).toBe(400);
    stripe.missingAccounts.delete("acct_late");
    expect((await post(toLate, { "Idempotency-Key": "b" })).status).toBe(200);
    stripe.setBalance(0, "gbp");
    const broke = "amount=1&currency=gbp&destination=acct_1";
    expect((await post(broke, { "Idempotency-Key": "c" })).body.error).toMatchObject({ code: "balance_insufficient" });
    stripe.setBalance(100, "gbp");
    const replay = await post(broke, { "Idempotency-Key": "c" });
    expect(replay.body.error).toMatchObject({ code: "balance_insufficient" });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
  });

  it("answers 409 while the first request with a key is still running", async () => {
    stripe.setFaults({ slowMs: 300 });
    const first = post(transfer, { "Idempotency-Key": "slow" });
    // The first holds the key while it executes; the second arrives then, not after a guessed delay.
    await waitUntil("the first creation executing", () => stripe.executing === 1);
    expect((await post(transfer, { "Idempotency-Key": "slow" })).status).toBe(409);
    expect((await first).status).toBe(200);
    expect(stripe.transfers).toHaveLength(1);
  });
});

describe("Stripe stand-in: faults and control API", () => {
  it("commits then drops the socket on dropAfterCommitNext", async () => {
    stripe.setFaults({ dropAfterCommitNext: 1 });
    await expect(post(transfer, { "Idempotency-Key": "payout:p1" })).rejects.toThrow();
    expect(stripe.transfers).toHaveLength(1);
    const retry = await post(transfer, { "Idempotency-Key": "payout:p1" });
    expect(retry.body.id).toBe(stripe.transfers[0]?.id);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });

  it("injects 429 rate_limit, 402 card_error and dropped sockets", async () => {
    stripe.setFaults({ rateLimitNext: 1, cardErrorNext: 1, dropNext: 1 });
    await expect(post(transfer)).rejects.toThrow();
    expect(await post(transfer)).toMatchObject({ status: 429, body: { error: { code: "rate_limit" } } });
    expect(await post(transfer)).toMatchObject({ status: 402, body: { error: { type: "card_error", code: "card_declined" } } });
    expect((await post(transfer)).status).toBe(200);
  });

  it("draws 429s (with Retry-After), drops before the work and drops after the commit at the given rates", async () => {
    stripe.setFaults({ rateLimitRate: 0.25, dropRate: 0.25, dropAfterCommitRate: 0.25, seed: 7 });
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      const key = `payout:rate-${i}`;
      const before = stripe.transfers.length;
      try {
        const res = await post(transfer, { "Idempotency-Key": key });
        if (res.status === 429) expect(res.headers.get("retry-after")).toBe("1");
        outcomes.push(String(res.status));
      } catch {
        // A dropped socket: the transfer exists only when the drop came after the commit.
        outcomes.push(stripe.transfers.length > before ? "lost-answer" : "dropped");
      }
    }
    expect(outcomes).toEqual(expect.arrayContaining(["200", "429", "dropped", "lost-answer"]));
    // Each lost answer is one transfer made: the replay with its key returns it, nothing is paid twice.
    const made = stripe.transfers.length;
    expect(made).toBe(outcomes.filter((o) => o === "200" || o === "lost-answer").length);
    stripe.setFaults({ rateLimitRate: 0, dropRate: 0, dropAfterCommitRate: 0 });
    const lost = outcomes.indexOf("lost-answer");
    const replay = await post(transfer, { "Idempotency-Key": `payout:rate-${lost}` });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(stripe.transfers).toHaveLength(made);
  });

  it("answers balance_insufficient on balanceInsufficientNext and stores it under the key, like a real shortfall", async () => {
    stripe.setFaults({ balanceInsufficientNext: 1 });
    const short = await post(transfer, { "Idempotency-Key": "payout:p1" });
    expect(short).toMatchObject({ status: 400, body: { error: { type: "invalid_request_error", code: "balance_insufficient" } } });
    expect((await post(transfer, { "Idempotency-Key": "payout:p1" })).headers.get("idempotent-replayed")).toBe("true");
    expect(stripe.transfers).toHaveLength(0);
    expect((await post(transfer, { "Idempotency-Key": "payout:p1:1" })).status).toBe(200);
    expect(stripe.faults().balanceInsufficientNext).toBe(0);
  });

  it("is steered over HTTP by another process", async () => {
    const control = (path: string, body?: unknown) =>
      fetch(`${stripe.url}/_standin${path}`, { method: body === undefined ? "GET" : "POST", body: body === undefined ? undefined : JSON.stringify(body) });
    await control("/accounts/missing", { account: "acct_x" });
    await control("/faults", { failNext: 1 });
    expect((await post(transfer)).status).toBe(500);
    expect((await post("amount=1&currency=eur&destination=acct_x")).body.error).toMatchObject({ code: "resource_missing" });
    await control("/balance", { amount: 0, currency: "eur" });
    expect((await post(transfer)).body.error).toMatchObject({ code: "balance_insufficient" });
    const state = (await (await control("/transfers")).json()) as { transfers: unknown[]; requests: unknown[] };
    expect(state.requests).toHaveLength(3);
    await control("/reset", {});
    expect(stripe.requests).toHaveLength(0);
    expect((await post("amount=1&currency=eur&destination=acct_x")).status).toBe(200);
  });
});
