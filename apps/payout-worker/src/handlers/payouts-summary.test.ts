import { tallyAutomatic, tallyPayouts } from "./payouts-summary";
import type { PayPayoutOutcome } from "./pay-payout";

const paid = (payoutId: string, amount: number, currency = "eur"): PayPayoutOutcome => ({
  status: "paid",
  payoutId,
  creatorId: `c-${payoutId}`,
  amount,
  currency,
  stripeTransferId: `tr_${payoutId}`,
  replayed: false,
  recovered: false,
});

describe("payout run tallies", () => {
  const values: PayPayoutOutcome[] = [
    paid("a", 1000),
    paid("b", 2500),
    { status: "already_paid", payoutId: "c", creatorId: "c-c", amount: 10, currency: "eur", stripeTransferId: "tr_c" },
    { status: "skipped", payoutId: "d", creatorId: "c-d", amount: 10, currency: "eur", reason: "no_account" },
    { status: "deferred", payoutId: "g", creatorId: "c-g", amount: 10, currency: "eur", reason: "balance_insufficient", retryAt: "2026-12-02T12:00:00.000Z", balanceRetries: 1 },
  ];
  const failures = [{ jobKey: "test:x:payouts:payout-e", reason: "card_declined" }];
  const creatorOf = new Map([["e", "c-e"]]);

  it("counts process-payouts outcomes with integer totals and named failures", () => {
    expect(tallyPayouts({ values, failures }, { skipped: 2 }, creatorOf)).toEqual({
      itemsProcessed: 2 + 1 + 3 + 1 + 1,
      context: {
        succeeded: 2,
        failed: 1,
        skipped: 3,
        alreadyPaid: 1,
        deferred: 1,
        errors: [{ payoutId: "e", creatorId: "c-e", error: "card_declined" }],
        totalAmount: 3500,
        currency: "eur",
        amountsByCurrency: { eur: 3500 },
      },
    });
  });

  it("adds the sweep's own counts to an automatic run and says when currencies are mixed", () => {
    const { itemsProcessed, context } = tallyAutomatic(
      { values: [...values, paid("f", 700, "usd")], failures: [] },
      { totalCreators: 9, skipped: 4, failed: 1 },
      new Map(),
    );
    expect(itemsProcessed).toBe(3);
    expect(context).toMatchObject({ totalCreators: 9, succeeded: 3, skipped: 5, failed: 1, deferred: 1, currency: "mixed", amountsByCurrency: { eur: 3500, usd: 700 } });
  });
});
