export { startStripeStandin, type StripeStandin, type StripeStandinOptions, type StripeRequestRecord } from "./server";
export type { StripeFaults } from "./faults";
export type { StripeTransferObject } from "./transfers";
