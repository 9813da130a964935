// The deployable apps, in start order; shared by `pnpm start` and `pnpm demo`.
export const APPS = ["scheduler", "email-worker", "room-worker", "payout-worker", "maintenance-worker", "outbox-relay", "dashboard"];
