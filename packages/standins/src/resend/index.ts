export { startResendStandin } from "./server";
export type { ResendDelivery, ResendFaults, ResendRequestRecord, ResendStandin, ResendStandinOptions } from "./types";
export { parseFaults, seededRandom } from "./faults";
export { canonicalJson, IDEMPOTENCY_TTL_MS, MAX_IDEMPOTENCY_KEY_LENGTH } from "./idempotency";
export { MAX_BATCH_SIZE } from "./emails-api";
export { MAX_RECIPIENTS } from "./validate";
export type { ResendErrorBody } from "./errors";
