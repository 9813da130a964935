export { startResendStandin } from "./resend/index";
export type { ResendDelivery, ResendFaults, ResendRequestRecord, ResendStandin, ResendStandinOptions } from "./resend/index";
export { startDailyStandin } from "./daily/index";
export type { DailyFaults, DailyRequestRecord, DailyRoomEvent, DailyRoomRecord, DailyStandin, DailyStandinOptions } from "./daily/index";
export { startStripeStandin } from "./stripe/index";
export type { StripeFaults, StripeRequestRecord, StripeStandin, StripeStandinOptions, StripeTransferObject } from "./stripe/index";
export { seededRandom } from "./shared/faults";
