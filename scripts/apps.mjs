// The deployable apps, in start order; shared by `pnpm start` and `pnpm demo`.
export const APPS = ["scheduler", "email-worker", "room-worker", "payout-worker", "maintenance-worker", "outbox-relay", "dashboard"];
// The node flags production starts every app with (the Dockerfile's CMD, each app's `start`, `pnpm
// start`; scripts/node-flags.test.ts holds them together), and `pnpm bench:memory` its bare worker too.
// None: each bundle's launcher turns on source maps for the bundle alone (scripts/build-app.mjs).
export const NODE_FLAGS = [];
