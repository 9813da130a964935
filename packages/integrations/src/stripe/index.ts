export {
  createStripePayouts,
  payoutIdempotencyKey,
  type CreatedTransfer,
  type StripePayouts,
  type StripePayoutsOptions,
} from "./payouts";
export type { CreateTransferInput } from "./inputs";
export type { PayoutTransfer } from "./transfer-schema";
export { parseStripeApiBase, type StripeEndpoint } from "./config";
export { StripeBalanceInsufficientError, isBalanceInsufficient } from "./balance-insufficient-error";
