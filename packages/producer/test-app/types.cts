// Type-checked (tsc, module node16) against the installed declarations, as CommonJS.
import { createProducer, type PayoutInput } from "@callastar/producer";
import { getRecentLogs } from "@callastar/audit-log";

const payout: PayoutInput = { payoutId: "po_1" };
export const calls = [createProducer({ connection: "redis://127.0.0.1:6379" }).enqueuePayout(payout), getRecentLogs({ limit: 1 })];
